"""Sanity check for the hand-written behaviour-class texts (not a pytest module).

Run: .venv/bin/python tests/data/classes/check_classes.py
"""
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

try:
    import opencc
    _t2s = opencc.OpenCC("t2s").convert
except Exception:  # opencc missing: no folding
    _t2s = lambda s: s

HERE = Path(__file__).resolve().parent
EXTRACT, QA = HERE / "extract", HERE / "qa"
KEYS = ["name", "regions", "province", "level", "program", "industry", "recognised_by", "year", "batch"]
LEVELS = {None, "national", "provincial", "municipal"}
YESNO = {"是", "不是", "否", "没有", "不在"}
errors, notes = [], []


def err(msg):
    errors.append(msg)


def norm(s: str) -> str:
    s = _t2s(s)
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"(?<=\d),(?=\d{3})", "", s)           # 2,350 -> 2350
    s = re.sub(r"[〔﹝\[［【(（]", "(", s)               # one bracket form
    s = re.sub(r"[〕﹞\]］】)）]", ")", s)
    return s


def read(p: Path) -> str:
    return p.read_text(encoding="utf-8")


# ---------------- extraction classes ----------------
exp = json.loads(read(EXTRACT / "expected.json"))
txts = {p.name for p in EXTRACT.glob("*.txt")}
if set(exp) != txts:
    err(f"expected.json keys != txt files: missing {txts - set(exp)}, extra {set(exp) - txts}")
per_class = defaultdict(list)
for fn, entry in exp.items():
    p = EXTRACT / fn
    if not p.exists():
        continue
    text = read(p)
    if not 150 <= len(text) <= 700:
        err(f"{fn}: length {len(text)} outside 150-700")
    cls = entry.get("class")
    if cls not in list("abcdefg") or not fn.startswith(cls + "_"):
        err(f"{fn}: class {cls!r} does not match file prefix")
    per_class[cls].append(fn)
    names = [c["name"] for c in entry["clusters"]]
    if len(names) != len(set(names)):
        err(f"{fn}: duplicate names")
    for c in entry["clusters"]:
        if list(c) != KEYS:
            err(f"{fn}: keys {list(c)}")
        n = c["name"]
        if n not in text:
            err(f"{fn}: name not verbatim in text: {n}")
        if c["industry"] and c["industry"] not in n:
            err(f"{fn}: industry {c['industry']} not in name {n}")
        if "集群" not in n:
            err(f"{fn}: no 集群 in {n}")
        if c["level"] not in LEVELS:
            err(f"{fn}: level {c['level']}")
        for r in c["regions"]:
            stem = re.sub(r"(市|区|县|省)$", "", r)
            if stem not in n and stem not in text:
                notes.append(f"{fn}: region {r} not written in text (abbreviation?) for {n}")
        if c["recognised_by"] and c["recognised_by"] not in text:
            err(f"{fn}: body {c['recognised_by']} not in text")
        if c["year"] and str(c["year"]) not in text:
            err(f"{fn}: year {c['year']} not in text")
for cls in "abcdefg":
    if len(per_class[cls]) < 2:
        err(f"class {cls}: fewer than 2 texts")
for cls in "ag":
    nonzero = [fn for fn in per_class[cls] if exp[fn]["clusters"]]
    if cls == "g" and nonzero or cls == "a" and len(nonzero) > 1:
        err(f"class {cls}: unexpected records in {nonzero}")
print("extract:", {c: len(v) for c, v in sorted(per_class.items())},
      "records:", sum(len(e["clusters"]) for e in exp.values()))

# ---------------- QA classes ----------------
docs = {p.name: read(p) for pat in ("*.txt", "*.html") for p in QA.glob(pat)}  # .html: table classes
for fn, text in docs.items():
    if not 300 <= len(text) <= 1200:
        err(f"{fn}: length {len(text)} outside 300-1200")
ndocs = {fn: norm(t) for fn, t in docs.items()}
ids, per_qclass, trad = set(), defaultdict(list), Counter()
used_docs = set()
for line_no, line in enumerate(read(QA / "questions.jsonl").splitlines(), 1):
    try:
        q = json.loads(line)
    except json.JSONDecodeError as e:
        err(f"questions.jsonl line {line_no}: {e}")
        continue
    qid = q.get("id")
    if qid in ids:
        err(f"duplicate id {qid}")
    ids.add(qid)
    need = {"id", "class", "doc", "question", "answers", "answerable", "style"}
    if not need <= set(q):
        err(f"{qid}: missing keys {need - set(q)}")
    targets = q.get("docs") or ([q["doc"]] if q.get("doc") else [])
    if q["doc"] is None and len(targets) < 2:
        err(f"{qid}: doc null but fewer than 2 docs")
    for d in targets:
        if d not in docs:
            err(f"{qid}: doc {d} missing")
    used_docs.update(targets)
    per_qclass[q["class"]].append(q)
    if _t2s(q["question"]) != q["question"]:
        trad[q["class"]] += 1
    if q["answerable"] != bool(q["answers"]):
        err(f"{qid}: answerable flag vs answers")
    if not q["answerable"]:
        continue
    hay = "".join(ndocs.get(d, "") for d in targets)
    derived = "derived" in q["style"]
    for item in q["answers"]:
        if not item or not all(isinstance(v, str) and v for v in item):
            err(f"{qid}: bad item {item}")
            continue
        found = [v for v in item if norm(v) in hay]
        if set(item) <= YESNO | {v for v in item if norm(v) in hay}:
            if not found and not (set(item) & YESNO):
                err(f"{qid}: no variant of {item} occurs")
        if not found and not derived and not (set(item) & YESNO):
            err(f"{qid}: no variant of {item} occurs in {targets}")
        if not found and derived:
            notes.append(f"{qid}: derived answer {item} ({q['style']})")
        missing = [v for v in item if v not in found and v not in YESNO]
        if found and missing:
            notes.append(f"{qid}: format variants not in text: {missing}")
unused = set(docs) - used_docs
if unused:
    err(f"QA docs never used: {unused}")
for cls, qs in per_qclass.items():
    ds = {d for q in qs for d in (q.get("docs") or [q["doc"]])}
    if len(qs) < 2 or len(ds) < 2:
        err(f"QA class {cls}: {len(qs)} questions over {len(ds)} docs")
print("qa:", {c: len(v) for c, v in per_qclass.items()}, "traditional:", dict(trad))
for n in notes:
    print("  note:", n)
for e in errors:
    print("ERROR:", e)
sys.exit(1 if errors else 0)
