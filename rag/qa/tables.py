"""Tables in a document's text (HTML tables rendered as `a | b | c` rows, Markdown tables): a
header and rows of cells, each row with its span, so that a question can read one cell (咸阳市显示
器件集群2023年的营收有多少) or a column's largest value (哪个集群增速最快)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..core.chinese import fold
from ..core.lexicon import alternation, words

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?$")
_UNIT = re.compile(r"[（(]([^）)，,]*?)(?:[，,][^）)]*)?[）)]")
_PLACE_HEADERS = ("核心区", "所在地", "所在市", "设区市", "地市", "地区", "城市", "所在县", "县（市、区）", "县(市、区)", "区县", "市州")
_NAME_HEADERS = ("集群名称", "名称", "集群", "产业集群")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    spans: list[tuple[int, int]]  # each row's span in the text it was read from

    def column(self, words_: tuple[str, ...]) -> Optional[int]:
        for i, h in enumerate(self.header):
            if any(w in h for w in words_):
                return i
        return None

    def name_column(self) -> Optional[int]:
        named = self.column(_NAME_HEADERS)
        if named is not None:
            return named
        for i in range(len(self.header)):  # the first column whose cells name clusters
            if self.rows and all("集群" in r[i] for r in self.rows if i < len(r)):
                return i
        return None

    def unit(self, i: int) -> str:
        m = _UNIT.search(self.header[i])
        return m.group(1).strip() if m else ""


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_tables(text: str) -> list[Table]:
    """Runs of at least three lines of two or more `|`-separated cells; the first is the header
    when its cells hold no numbers."""
    out: list[Table] = []
    run: list[tuple[int, int, list[str]]] = []
    pos = 0
    for line in text.split("\n") + ["end"]:
        start, pos = pos, pos + len(line) + 1
        if "|" in line and not _SEPARATOR.match(line.strip()) and len(_cells(line)) >= 2:
            run.append((start, start + len(line), _cells(line)))
            continue
        if run and (not line.strip() or _SEPARATOR.match(line.strip())):
            continue  # blank lines between rendered rows, the Markdown header rule
        if len(run) >= 3 and not any(_NUMBER.match(c.replace("%", "")) for c in run[0][2]):
            header = run[0][2]
            rows = [r for _, _, r in run[1:]]
            out.append(Table(header, rows, [(s, e) for s, e, _ in run[1:]]))
        run = []
    return out


def number(cell: str) -> Optional[float]:
    c = cell.replace(",", "").replace("，", "").rstrip("%").strip()
    return float(c) if _NUMBER.match(c) else None


def measure_column(table: Table, kind: str, folded_question: str) -> Optional[int]:
    """The column of the asked measure: a header holding one of the kind's measure words (营收,
    增速, 规上企业), preferring the one the question writes."""
    if kind == "place":
        return table.column(_PLACE_HEADERS)
    family = words("questions", "measure_" + kind)
    best, best_score = None, 0
    for i, h in enumerate(table.header):
        if not any(w in h for w in family):
            continue
        core = re.sub(r"[（(].*?[）)]", "", h)
        score = 1 + sum(len(w) for w in family if w in core and w in folded_question)
        if kind == "quantity" and not any(w in folded_question for w in re.findall(r"[\u4e00-\u9fff]{2}", core)):
            continue
        if score > best_score:
            best, best_score = i, score
    return best


def row_of(table: Table, folded_question: str) -> Optional[int]:
    """The row whose cluster the question names: its name without the head noun and, failing
    that, without its place."""
    col = table.name_column()
    if col is None:
        return None
    head = re.compile(r"(?:" + alternation(words("heads", "nouns")) + r")$")
    hits = []
    for i, row in enumerate(table.rows):
        if col >= len(row):
            continue
        name = fold(row[col])
        core = head.sub("", name)
        core = re.sub(r"(?:战略性新兴产业|先进制造业|中小企业特色产业|特色产业|产业|工业)$", "", core)
        if len(core) >= 2 and core in folded_question:
            hits.append((len(core), i))
            continue
        bare = re.sub(r"^[\u4e00-\u9fff]{1,4}?(?:市|县|区|州|盟|旗)", "", core)
        if len(bare) >= 2 and bare != core and bare in folded_question:
            hits.append((len(bare), i))
    return max(hits)[1] if hits else None
