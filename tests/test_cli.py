import json
import subprocess
import sys

from rag.cli import main


def test_help_lists_every_command(capsys):
    try:
        main(["--help"])
    except SystemExit as e:
        assert e.code == 0
    out = capsys.readouterr().out
    for cmd in ["ingest", "search", "extract", "clusters", "ask", "eval", "schema"]:
        assert cmd in out


def test_python_dash_m_works():
    r = subprocess.run([sys.executable, "-m", "rag", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "jiqun" in r.stdout


def test_schema_export(tmp_path):
    out = tmp_path / "cluster.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text("utf-8"))
    assert {"doc_id", "name", "regions", "province", "level", "program", "industry", "recognised_by", "year",
            "batch", "evidence"} <= set(schema["properties"])
