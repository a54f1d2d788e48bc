"""The `rag` command. Heavy libraries are imported only inside the command that needs them,
so `rag --help` stays fast."""
from __future__ import annotations

import argparse
import importlib
import sys

ENGINES = ["offline", "llm", "hybrid", "auto"]

# command -> "module:function"; each function takes (args, settings) and returns an exit code.
HANDLERS = {
    "ingest": "rag.index_cli:ingest_command",
    "search": "rag.index_cli:search_command",
    "extract": "rag.extract.cli:extract_command",
    "clusters": "rag.extract.cli:clusters_command",
    "lists": "rag.extract.lists_cli:lists_command",
    "ask": "rag.qa.cli:ask_command",
    "eval": "rag.evaluate.cli:eval_command",
    "schema": "rag.cli:schema_command",
    "docs": "rag.docs_cli:docs_command",
    "serve": "rag.serve.cli:serve_command",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage itself is one --help away)."""

    def error(self, message: str):
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="DIR", help="index folder (env RAG_DB, default ./.rag)")
    p.add_argument("--chroma-url", metavar="URL", help="use a Chroma server, e.g. http://127.0.0.1:8000 (env RAG_CHROMA_URL)")


def _labels_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--labels", choices=["en", "zh"], default=None,
                   help="zh: Chinese column names and level names (国家级/省级/市级) in csv and xlsx")


def _profile_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", metavar="NAME",
                   help="an endpoint profile of the config file (jiqun.toml, ~/.config/jiqun/config.toml)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rag",
        description="jiqun (集群): Chinese industrial-cluster articles -> answers with citations and cluster records.",
    )
    parser.add_argument("--version", action="version", version="jiqun " + _version())
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="load, clean, chunk and index articles into Chroma")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (.txt .md .html .htm)")
    _store_options(p)
    p.add_argument("--prune", action="store_true", help="drop indexed documents whose files are gone")
    p.add_argument("--rebuild", action="store_true",
                   help="drop the vectors and embed every indexed chunk again (a lost or damaged vector store)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = sub.add_parser("search", help="hybrid (dense + keyword) search over the index")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only these documents")
    p.add_argument("--from", dest="date_from", metavar="DATE",
                   help="only documents dated on or after DATE (2024, 2024-03 or 2024-03-31)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="only documents dated on or before DATE")
    p.add_argument("--json", action="store_true", help="JSON output")
    _store_options(p)

    p = sub.add_parser("extract", help="extract every named cluster from articles (JSON Lines or CSV)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--engine", choices=ENGINES, default=None,
                   help="auto (default; env RAG_ENGINE or the config file): an LLM only when jiqun's own settings name one")
    _profile_option(p)
    p.add_argument("--out", metavar="FILE", help="output file (default stdout); re-running resumes; a file that "
                   "is not an extract output, or holds records of documents not among the inputs, is not replaced")
    p.add_argument("--force", action="store_true", help="replace --out even so")
    p.add_argument("--format", choices=["jsonl", "csv", "xlsx"], default=None,
                   help="default: from --out suffix (.csv, .xlsx), else jsonl; csv starts with a UTF-8 BOM for Excel")
    _labels_option(p)
    p.add_argument("--keep-vetoed", action="store_true",
                   help="hybrid: keep the candidates the LLM vetoed, flagged with its reason (`vetoed`)")
    p.add_argument("--passes", type=int, default=1, metavar="N",
                   help="llm: read each document N times in differently cut chunks and merge the records (recall)")
    p.add_argument("--schema", metavar="MODULE:MODEL",
                   help="llm: records of your own pydantic model (package.module:Model) instead of clusters")
    p.add_argument("--examples", metavar="FILE", help="with --schema: few-shot examples, JSON Lines of {text, records}")
    p.add_argument("--no-progress", action="store_true")

    p = sub.add_parser("clusters", help="cross-document cluster table from the index")
    _store_options(p)
    p.add_argument("--format", choices=["table", "jsonl", "csv", "xlsx"], default="table")
    p.add_argument("--out", metavar="FILE", help="write to FILE (needed for xlsx) instead of stdout")
    _labels_option(p)
    p.add_argument("--province", help="only clusters in this province")

    p = sub.add_parser("lists", help="the lists of clusters the indexed articles report (issuer, date, 文号, members)")
    _store_options(p)
    p.add_argument("--format", choices=["table", "jsonl", "csv", "xlsx"], default="table")
    p.add_argument("--out", metavar="FILE", help="write to FILE (needed for xlsx) instead of stdout")
    _labels_option(p)
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only these documents")

    p = sub.add_parser("ask", help="answer a question from the index, with citations")
    p.add_argument("question", nargs="?", help="the question (or use --file)")
    p.add_argument("--file", metavar="FILE", help="questions, one per line ('-' for stdin)")
    p.add_argument("--engine", choices=["offline", "llm", "auto"], default=None,
                   help="auto (default; env RAG_ENGINE or the config file): an LLM only when jiqun's own settings name one")
    _profile_option(p)
    p.add_argument("-k", type=int, default=6, help="chunks to retrieve (default 6)")
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only these documents")
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    p.add_argument("--no-stream", action="store_true", help="do not stream LLM tokens")
    _store_options(p)

    p = sub.add_parser("eval", help="score engines against a hand-labelled gold set")
    p.add_argument("--engine", action="append", choices=["offline", "llm", "hybrid", "all"],
                   help="engines to run (default: every available one)")
    p.add_argument("--gold", metavar="DIR", action="append", help="gold folder(s) (default eval/gold)")
    p.add_argument("--report", metavar="DIR", default="reports", help="where report.json/.md/.html go")
    p.add_argument("--thresholds", metavar="FILE", help="default eval/thresholds.json")
    p.add_argument("--no-thresholds", action="store_true", help="report only, never fail")
    p.add_argument("--no-progress", action="store_true", help="no progress bar or status lines")
    _profile_option(p)

    p = sub.add_parser("docs", help="the indexed documents: list, show (a citation viewer), rm")
    docs = p.add_subparsers(dest="docs_command", metavar="ACTION", required=True, parser_class=_Parser)
    d = docs.add_parser("list", help="id, title, date, source path, chunks, clusters of every document")
    d.add_argument("--json", action="store_true", help="JSON output")
    _store_options(d)
    d = docs.add_parser("show", help="a document's original text; --span START:END highlights a citation")
    d.add_argument("id", metavar="ID")
    d.add_argument("--span", metavar="START:END", help="highlight these character offsets (as citations give them)")
    _store_options(d)
    d = docs.add_parser("rm", help="remove documents: chunks, vectors, keyword terms, clusters, lists")
    d.add_argument("ids", nargs="+", metavar="ID")
    _store_options(d)

    p = sub.add_parser("serve", help="the JSON API and the web page (ask, clusters, lists, documents)")
    _store_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; another "
                   "address needs --token)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--token", metavar="TOKEN", help="every request must send 'Authorization: Bearer TOKEN' "
                   "(env RAG_SERVE_TOKEN; required off loopback)")
    _profile_option(p)

    p = sub.add_parser("schema", help="print the JSON schema of the cluster record")
    p.add_argument("--out", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace --out even if it is not a JSON schema")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def schema_command(args, settings) -> int:
    import json

    from .io import atomic_write_text
    from .schemas import ClusterMention

    text = json.dumps(ClusterMention.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.out:
        atomic_write_text(args.out, text)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    import sqlite3

    from .config import Settings
    from .errors import RagError

    module_name, func_name = HANDLERS[args.command].split(":")
    settings = None
    try:
        settings = Settings.from_args(args)
        from .preflight import check

        check(args, settings)
        handler = getattr(importlib.import_module(module_name), func_name)
        return int(handler(args, settings) or 0)
    except RagError as e:
        print(f"rag {args.command}: error: {e}", file=sys.stderr)
        return 1
    except sqlite3.Error as e:  # the index store failed after it opened (a damaged page, a full disk)
        if args.verbose:
            raise
        from .index import store_error

        print(f"rag {args.command}: error: {store_error(settings.db, e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"rag {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug: still one line unless --verbose
        if args.verbose:
            raise
        print(f"rag {args.command}: error: {type(e).__name__}: {e} (run with -v for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
