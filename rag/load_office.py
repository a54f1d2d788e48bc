"""Text of PDF (text layer, pypdf) and Word .docx files (python-docx). As for HTML, the extracted
text is the document's `original`: every offset points into it.

pypdf was chosen over pdfminer.six by a measurement on Chinese PDFs made with reportlab and the
STSong-Light CID font (tests/test_load_pdf_docx.py makes the same kind): both extract the text
exactly; pypdf read a 9-page document in 0.16 s against 0.60 s, keeps table cells on lines of their
own, and needs no compiled dependency.

A PDF's visual line breaks inside a paragraph are joined (a full line that does not end a sentence
runs on into the next), so sentences and cluster names are not cut by the page layout. Table cells
are joined with " | " and a line per row, as the HTML renderer does.
"""
from __future__ import annotations

import io
import logging
import re

from .errors import InputError

CELL_SEPARATOR = " | "
_SENTENCE_END = re.compile(r"[。！？!?：:；;]$|[”」』）)]$")
_CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def _join_wrapped(page: str) -> str:
    """Join a page's wrapped lines: a line at least 80% as long as the page's longest, ending
    without sentence punctuation, runs on into the next line when either side of the break is CJK."""
    lines = [ln.rstrip() for ln in page.split("\n")]
    width = max((len(ln) for ln in lines), default=0)
    out: list[str] = []
    for ln in lines:
        prev = out[-1] if out else None
        if (prev and ln and len(prev) >= 0.8 * width and width >= 20 and not _SENTENCE_END.search(prev)
                and (_CJK.match(prev[-1]) or _CJK.match(ln[0])) and not prev[-1].isspace() and not re.match(r"\d+[.、]|[一二三四五六七八九十]+、", ln)):
            out[-1] = prev + ln.lstrip()
        else:
            out.append(ln)
    return "\n".join(out)


def pdf_text(data: bytes, name: str) -> str:
    """The text layer of a PDF, page by page (a blank line between pages)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns about every odd object it repairs
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise InputError(name, "encrypted PDF (a password is needed to read its text)")
            except InputError:
                raise
            except Exception:
                raise InputError(name, "encrypted PDF that cannot be opened without a password") from None
        pages = [_join_wrapped(p.extract_text() or "") for p in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise InputError(name, f"not a readable PDF ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"
                         .replace(": )", ")")) from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise InputError(name, f"no text layer (a scanned PDF of {len(pages)} page(s)): run OCR on it first")
    return text + "\n"


def docx_text(data: bytes, name: str) -> str:
    """The paragraphs and tables of a .docx in document order; table rows as cells joined by ' | '."""
    import zipfile

    from docx import Document as Docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = Docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(name, f"not a readable Word .docx file ({type(e).__name__})") from None
    except Exception as e:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise InputError(name, f"not a readable Word .docx file ({type(e).__name__})") from None
    lines: list[str] = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.append("")
            for row in block.rows:
                lines.append(CELL_SEPARATOR.join(_dedupe_merged(row)))
            lines.append("")
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(ln.rstrip() for ln in lines)).strip()
    if not text:
        raise InputError(name, "no text (an empty Word document)")
    return text + "\n"


def _dedupe_merged(row) -> list[str]:
    """A row's cell texts; a merged cell (python-docx repeats it for each grid column) once."""
    out, seen = [], []
    for cell in row.cells:
        if any(cell._tc is t for t in seen):
            continue
        seen.append(cell._tc)
        out.append(" ".join(cell.text.split()))
    return out
