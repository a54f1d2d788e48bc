"""`rag ask`: answer one question, or a file of questions, from the index, with citations.

Terminal output is the answer, then the numbered sources with their quotes
(`[1] doc_id [start:end] 「quote」`) and the engine that answered (`(engine: offline)`); `--json` prints the `Answer` record (JSON Lines for
`--file`). Engines: offline (rules, no network), llm (an OpenAI-compatible endpoint), auto
(llm when jiqun's own settings name an endpoint; offline when that endpoint fails).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional, TextIO

from ..errors import ConfigError, InputError
from ..schemas import Answer


def resolve_engine(name: str, settings) -> str:
    """auto: llm only when jiqun's own settings name an endpoint (rag/engine_choice.py)."""
    from ..engine_choice import choose

    return choose(name, settings, allowed=("offline", "llm")).name


def read_questions(args) -> list[str]:
    """The question argument, or the lines of --file (blank lines skipped)."""
    if args.file:
        if args.question:
            raise InputError("--file", "give either a question or --file, not both")
        if args.file == "-":
            text = sys.stdin.read()
        else:
            path = Path(args.file)
            if not path.is_file():
                raise InputError(args.file, "no such file")
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise InputError(args.file, "not UTF-8 text") from None
            except OSError as e:
                raise InputError(args.file, e.strerror or str(e)) from None
        questions = [line.strip() for line in text.splitlines() if line.strip()]
        if not questions:
            raise InputError(args.file, "no questions in the file")
        return questions
    if args.question is None or not args.question.strip():
        raise InputError("question", "the question is empty (give a question or --file FILE)")
    return [args.question.strip()]


def format_answer(answer: Answer, with_answer: bool = True) -> str:
    lines = [answer.answer] if with_answer else []
    if answer.supported is False:
        lines.append("注意：答案中的 " + "、".join(answer.unsupported) + " 未见于所引原文，答案未经核实（不计为找到答案）。")
    if answer.citations:
        lines.append("")
        lines.append("来源:")
        for i, c in enumerate(answer.citations, 1):
            quote = " ".join(c.text.split())
            lines.append(f"[{i}] {c.doc_id} [{c.start}:{c.end}] 「{quote}」")
    lines.append(f"(engine: {answer.engine})")  # which engine answered: offline unless an LLM was chosen
    return "\n".join(lines)


def ask_command(args, settings, out: Optional[TextIO] = None) -> int:
    from ..engine_choice import answerer as answerer_for, stderr_warning
    from ..index import Index

    out = out or sys.stdout
    questions = read_questions(args)
    engine = resolve_engine(args.engine, settings)
    if args.k is not None and args.k < 1:
        raise InputError("-k", "must be at least 1")
    with Index.open(settings, create=False) as index:
        if not index.documents():
            raise ConfigError(f"the index at {settings.db} has no documents: run `rag ingest PATH --db {settings.db}` first")
        for doc_id in args.doc or []:
            index.document(doc_id)  # one-line error for an unknown id
        answerer = answerer_for(args.engine, settings, index, stderr_warning("ask"))  # LLMAnswerer caps at ANSWER_MAX_TOKENS, as rag eval
        stream = engine == "llm" and not args.json and not getattr(args, "no_stream", False)
        for i, question in enumerate(questions):
            if args.file and not args.json:
                out.write(("\n" if i else "") + f"问：{question}\n")
                out.flush()
            if stream:
                answer = answerer.answer(question, k=args.k, doc_ids=args.doc, stream=True, out=out)
            else:
                answer = answerer.answer(question, k=args.k, doc_ids=args.doc)
            if args.json:
                record = answer.model_dump(mode="json")
                out.write(json.dumps(record, ensure_ascii=False, indent=None if args.file else 2) + "\n")
            else:
                out.write(format_answer(answer, with_answer=not stream or answer.engine != "llm") + "\n")
            out.flush()
    return 0
