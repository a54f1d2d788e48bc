"""Load article files: find them, decode them, render HTML, read title/date/outlet/URL."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Optional

from .core.types import Document
from .errors import InputError

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}
SUPPORTED_LIST = ".txt, .md, .html, .htm, .pdf, .docx"


def max_file_bytes() -> int:
    from .config import env

    return int(env().RAG_MAX_FILE_MB * 1024 * 1024)


def _not_regular(mode: int) -> str | None:
    """Why a path of this type cannot be an article (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return f"{kind}, not a regular file"
    return "not a regular file"


def _missing_reason(p: Path) -> str:
    """Why an existing-looking path cannot be followed: a dangling or looping link, or nothing there."""
    if p.is_symlink():
        try:
            p.resolve(strict=True)
        except RuntimeError:
            return "symbolic link loop"
        except OSError as e:
            return "symbolic link loop" if e.errno == errno.ELOOP else "broken symbolic link"
        return "broken symbolic link"
    return "no such file or folder"


def _walk(folder: Path, problems: list[tuple[str, str]], unsupported: Optional[Counter] = None) -> list[Path]:
    """Supported regular files under folder (hidden parts skipped, links to folders not followed);
    other files are counted by suffix in `unsupported`."""
    found: list[Path] = []

    def unreadable(e: OSError) -> None:
        problems.append((e.filename or str(folder), f"cannot read folder: {(e.strerror or str(e)).lower()}"))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            f = Path(root) / name
            if name.startswith("."):
                continue
            if f.suffix.lower() not in SUPPORTED_SUFFIXES:
                if unsupported is not None:
                    unsupported[f.suffix.lower() or "(no suffix)"] += 1
                continue
            try:
                why = _not_regular(f.stat().st_mode)
            except OSError:
                why = _missing_reason(f)
            if why:
                problems.append((str(f), why))
            else:
                found.append(f)
    return found


@dataclass
class Source:
    """A file to read, with the document id derived from its path: relative to the folder that was
    given, without the suffix (`site/a/index.html` given as `site` → `a/index`); a file given by
    itself is its stem. `root` is the folder (or the file's own folder)."""

    path: Path
    doc_id: str
    root: Path


@dataclass
class Found:
    sources: list[Source] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): cannot be used
    unsupported: Counter = field(default_factory=Counter)  # suffix → files in the folders not read

    def skipped_line(self) -> str:
        """`skipped: 3 (.doc ×2, .png ×1)`."""
        n = sum(self.unsupported.values())
        kinds = ", ".join(f"{k} ×{v}" for k, v in sorted(self.unsupported.items(), key=lambda kv: (-kv[1], kv[0])))
        return f"skipped: {n}" + (f" ({kinds})" if n else "")


def doc_id_for(path: Path, root: Path) -> str:
    rel = path.relative_to(root) if root != path else Path(path.name)
    return rel.with_suffix("").as_posix() if rel.suffix else rel.as_posix()


def find_sources(paths: Iterable[str | os.PathLike]) -> Found:
    """Expand files and folders (recursively) into supported regular files with their ids."""
    found = Found()
    for raw in paths:
        p = Path(raw)
        try:
            mode = p.stat().st_mode
        except OSError as e:
            found.problems.append((str(p), e.strerror.lower() if e.errno == errno.EACCES else _missing_reason(p)))
            continue
        if stat.S_ISDIR(mode):
            before = len(found.problems)
            files = _walk(p, found.problems, found.unsupported)
            if not files and len(found.problems) == before:
                found.problems.append((str(p), f"folder has no {SUPPORTED_LIST.replace(', .docx', ' or .docx')} files"))
            found.sources.extend(Source(f, doc_id_for(f, p), p) for f in files)
        elif p.suffix.lower() not in SUPPORTED_SUFFIXES:
            found.problems.append((str(p), f"unsupported file type '{p.suffix or '(none)'}' (use {SUPPORTED_LIST})"))
        elif why := _not_regular(mode):
            found.problems.append((str(p), why))
        else:
            found.sources.append(Source(p, doc_id_for(p, p), p.parent))
    seen: set[Path] = set()
    unique = []
    for s in found.sources:
        key = s.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(s)
    found.sources = unique
    return found


def free_id(src: Source, resolved: str, known: dict, taken: dict[str, str]) -> str:
    """The source's id, made unique (`known`: indexed id → (path, ...); `taken`: id → path in this run): a name already used by another file (indexed, still there, or
    earlier in this run) gets the folders above the ingest root in front (`siteB/index`), and a
    number as the last resort (`index~2`). Never refused."""
    def free(doc_id: str) -> bool:
        if doc_id in taken:
            return taken[doc_id] == resolved
        if doc_id in known:
            old = known[doc_id][0]
            return old == resolved or not Path(old).exists()  # a moved file keeps its id
        return True

    if free(src.doc_id):
        return src.doc_id
    doc_id = src.doc_id
    for parent in [src.root.resolve(), *src.root.resolve().parents]:
        if not parent.name:
            break
        doc_id = f"{parent.name}/{doc_id}"
        if free(doc_id):
            return doc_id
    n = 2
    while not free(f"{src.doc_id}~{n}"):
        n += 1
    return f"{src.doc_id}~{n}"


def unique_ids(sources: list[Source]) -> list[str]:
    """Ids for one run over files (no index): `free_id` against the run's own earlier files."""
    taken: dict[str, str] = {}
    out = []
    for src in sources:
        resolved = str(src.path.resolve())
        doc_id = free_id(src, resolved, {}, taken)
        taken[doc_id] = resolved
        out.append(doc_id)
    return out


def find_files(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders (recursively) into supported regular files.

    Returns (files, problems) where problems are (path, reason) for paths that cannot be used.
    """
    found = find_sources(paths)
    return [s.path for s in found.sources], found.problems


def read_bounded(path: str | os.PathLike) -> bytes:
    """The bytes of a regular file of at most RAG_MAX_FILE_MB. Never blocks on a FIFO, never reads
    more than the limit + 1 byte (a device or a growing file cannot exhaust memory)."""
    p = str(path)
    limit = max_file_bytes()
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise InputError(p, _missing_reason(Path(p)) if e.errno in (errno.ENOENT, errno.ELOOP)
                         else (e.strerror or "cannot read").lower()) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        why = _not_regular(st.st_mode)
        if why:
            raise InputError(p, why)
        too_large = f"file too large ({{:.1f}} MB > {limit / 1048576:g} MB limit; set RAG_MAX_FILE_MB)"
        if st.st_size > limit:
            raise InputError(p, too_large.format(st.st_size / 1048576))
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise InputError(p, (e.strerror or "cannot read").lower()) from None
    if len(data) > limit:
        raise InputError(p, too_large.format(len(data) / 1048576))
    return data


# --- decoding -------------------------------------------------------------------------

_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]


_TEXTLIKE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u0020-\u007e\s\u2010-\u206f]")


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte-order mark: accept a strict decode that reads as text."""
    if len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        sample = text[:2000]
        if sample and len(_TEXTLIKE.findall(sample)) / len(sample) > 0.9:
            return text, enc
    return None


def _utf8_with_stray_nuls(data: bytes) -> str | None:
    """Valid UTF-8 text with a few NUL bytes (a stray terminator, a bad copy): the text without them."""
    if data.count(0) > len(data) // 10:  # a tar or a binary record format: mostly padding
        return None
    try:
        text = data.replace(b"\x00", b"").decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if not _CONTROL.search(text) else None


_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f]")


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode without being told the encoding. Returns (text, encoding)."""
    if not data.strip():
        raise InputError(name, "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise InputError(name, f"undecodable bytes after a {enc} byte-order mark at byte {e.start}") from None
    if b"\x00" in data:
        found = _utf16_without_bom(data)
        if found:
            return found
        text = _utf8_with_stray_nuls(data)
        if text is None:
            raise InputError(name, "binary file (NUL bytes), not text")
        return text, "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for enc in ("gb18030", "big5"):
        try:
            candidates.append((data.decode(enc), enc))
        except UnicodeDecodeError:
            continue
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) == 2:
        import charset_normalizer

        best = charset_normalizer.from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
        enc = "big5" if best is not None and best.encoding == "big5" else "gb18030"
        return data.decode(enc), enc
    # Nothing decodes cleanly: accept a few bad bytes, refuse garbage.
    best_text, best_enc, best_bad = "", "", None
    for enc in ("utf-8", "gb18030", "big5"):
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if best_bad is None or bad < best_bad:
            best_text, best_enc, best_bad = text, enc, bad
    if best_bad is not None and best_bad <= max(2, len(best_text) // 200):
        return best_text, best_enc + "+replace"
    control = sum(1 for b in data[:4096] if b < 9 or 13 < b < 32)
    if control > 8:
        raise InputError(name, "binary file, not text")
    raise InputError(name, f"undecodable bytes: not UTF-8, UTF-16, GB18030 or Big5 ({best_bad} bad sequences)")


# --- HTML -------------------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "nav", "header", "footer", "aside", "form",
              "button", "select", "iframe"}
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
               "article", "title", "dt", "dd", "blockquote", "pre", "hr", "main", "figure", "figcaption"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}


class _TextRenderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip_depth = 0
        self.title: list[str] = []
        self.in_title = False
        self.cells = 0  # cells begun in the current table row

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag == "tr":
            self.cells = 0
        elif tag in ("td", "th") and not self.skip_depth:
            if self.cells:
                self.out.append(" | ")  # cells of a row stay apart: 1 | 济南市…集群 | 济南市 | 量子通信
            self.cells += 1
        if tag in _SKIP_TAGS and tag not in _VOID:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS and not self.skip_depth:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP_TAGS and tag not in _VOID:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS and not self.skip_depth:
            self.out.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if not self.skip_depth:
            self.out.append(re.sub(r"\s*\n\s*", " ", data) if data.strip() else (" " if data else ""))


def render_html(html: str) -> tuple[str, str]:
    """Render an HTML page to text in reading order. Returns (text, <title>)."""
    r = _TextRenderer()
    r.feed(html)
    r.close()
    text = "".join(r.out)
    lines = [ln.strip() for ln in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    return text, " ".join("".join(r.title).split())


def load_document(path: str | os.PathLike, doc_id: Optional[str] = None) -> Document:
    """The decoded (HTML: rendered; PDF, DOCX: extracted) text of a file. `doc_id` defaults to the stem."""
    p = Path(path)
    data = read_bounded(p)
    html_title = ""
    suffix = p.suffix.lower()
    if suffix in (".pdf", ".docx"):
        from .load_office import docx_text, pdf_text

        text, encoding = (pdf_text(data, str(p)), "pdf") if suffix == ".pdf" else (docx_text(data, str(p)), "docx")
    else:
        text, encoding = decode_bytes(data, str(p))
    if suffix in {".html", ".htm"}:
        text, html_title = render_html(text)
    if not text.strip():
        raise InputError(str(p), "no text" if html_title or p.suffix.lower() in {".html", ".htm"} else
                         "empty file (only whitespace)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(
        doc_id=doc_id or p.stem,
        path=str(p),
        original=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        title=html_title,
    )


