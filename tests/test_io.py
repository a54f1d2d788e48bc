import os

from rag.io import append_line_durably, atomic_write_text


def test_atomic_write_replaces_whole_file_with_normal_mode(tmp_path):
    path = tmp_path / "sub" / "out.json"
    atomic_write_text(path, "first")
    atomic_write_text(path, "second")
    assert path.read_text("utf-8") == "second"
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~_umask()
    assert [p.name for p in path.parent.iterdir()] == ["out.json"]  # no temp files left


def test_append_line_durably_adds_newline(tmp_path):
    path = tmp_path / "p.jsonl"
    append_line_durably(path, '{"a": 1}')
    append_line_durably(path, '{"b": 2}\n')
    assert path.read_text("utf-8") == '{"a": 1}\n{"b": 2}\n'


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m
