"""`rag eval`: score the engines against hand-labelled gold folders (format: eval/README.md).

gold.load_gold(folder) -> GoldSet · match.name_match / match_clusters (tolerant one-to-one names) ·
metrics.score_document / score_question and their summaries · run.evaluate_gold (engines → scored
results) · report.write_reports (json, md, html) · thresholds.check · cli.eval_command.
"""
