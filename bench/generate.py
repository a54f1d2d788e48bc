"""Generate a corpus of realistic, varied articles about industrial clusters.

    .venv/bin/python bench/generate.py OUT_DIR -n 500 [--seed 0]

Each article is composed from templates and public facts (bench/articles.py, bench/facts.py) and
then dressed the way real pages arrive (bench/noise.py): .txt/.html/.md, UTF-8/GB18030/Big5/
UTF-16, Traditional script, pasted pinyin readings, web boilerplate, half-width punctuation,
Windows line endings. OUT_DIR/manifest.jsonl records, per document, what was generated and
every cluster it names. Document i depends only on (seed, i), so a corpus of 500 is the first
500 documents of a corpus of 5,000.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import noise  # noqa: E402
from bench.articles import Article, compose  # noqa: E402
from bench.facts import INDUSTRIES, PROVINCES, province_name  # noqa: E402



def generator_version() -> str:
    """Changes whenever the generator's code or facts change, so a cached corpus is never stale."""
    h = hashlib.sha256()
    for name in ("facts.py", "articles.py", "noise.py", "generate.py"):
        h.update((Path(__file__).resolve().parent / name).read_bytes())
    return h.hexdigest()[:16]

HTML_CHARSET = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gbk", "big5": "big5"}


def doc_rng(seed: int, i: int) -> random.Random:
    return random.Random(f"jiqun-bench:{seed}:{i}")


def related_titles(rng: random.Random, province: str) -> list[str]:
    cities = PROVINCES[province][1]
    out = []
    for _ in range(rng.randint(2, 5)):
        city, ind = rng.choice(cities), rng.choice(list(INDUSTRIES))
        out.append(rng.choice([f"{city}{ind}产业集群入选国家级名单", f"{province}召开{ind}产业发展推进会",
                               f"{city}：聚力打造{ind}产业集群", f"{province_name(province)}{rng.randint(3, 30)}个项目集中签约"]))
    return out


def info_line(rng: random.Random, art: Article) -> str:
    t = f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    return rng.choice([f"来源：{art.outlet}  时间：{art.date} {t}", f"发布日期：{art.date}  信息来源：{art.outlet}",
                       f"{art.date} {t} | 来源：{art.outlet}", f"{art.outlet}   时间:{art.date}"])


def render(art: Article, rng: random.Random) -> tuple[bytes, str, dict]:
    """(file bytes, suffix, what noise was applied)."""
    fmt = rng.choices(["txt", "html", "md"], [0.6, 0.25, 0.15])[0]
    variant = rng.choices([None, "s2t", "s2tw", "s2hk"], [0.8, 0.1, 0.05, 0.05])[0]
    pinyin_rate = rng.uniform(0.3, 0.9) if variant and rng.random() < 0.5 else 0.0
    half_width = fmt != "md" and rng.random() < 0.25
    wide_digits = rng.random() < 0.05

    def dress(text: str) -> str:
        if variant:
            text = noise.to_traditional(text, variant)
        if pinyin_rate:
            text = noise.add_pinyin(text, rng, pinyin_rate)
        if half_width:
            text = noise.half_width_punctuation(text)
        return noise.full_width_digits(text) if wide_digits else text

    with_boilerplate = fmt == "html" or (fmt == "txt" and rng.random() < 0.6)
    bp = noise.boilerplate(rng, art.outlet, related_titles(rng, art.province), PROVINCES[art.province][0]) if with_boilerplate else noise.Boilerplate()
    for name in ("crumb", "share", "editor", "related_header"):
        setattr(bp, name, dress(getattr(bp, name)))
    bp.menu, bp.related, bp.footer = [dress(x) for x in bp.menu], [dress(x) for x in bp.related], [dress(x) for x in bp.footer]
    title, info, paras = dress(art.title), dress(info_line(rng, art)), [dress(p) for p in art.paragraphs]

    encoding = noise.pick_encoding(rng, variant or "simplified", fmt == "html")
    for enc in (encoding, "utf-8"):
        if fmt == "html":
            text = noise.html_page(title, info, paras, bp, rng, HTML_CHARSET.get(enc, "utf-8"))
        elif fmt == "md":
            text = _markdown(title, info, paras)
        else:
            text = _plain(title, info, paras, bp, rng)
        try:
            data = text.encode(enc)
            break
        except UnicodeEncodeError:
            continue
    applied = {"format": fmt, "encoding": enc, "script": variant or "simplified", "pinyin": pinyin_rate > 0,
               "half_width": half_width, "boilerplate": with_boilerplate}
    return data, "." + fmt, applied


def _table_as_text(para: str) -> str:
    rows = [r.strip().strip("|").split("|") for r in para.split("\n") if not set(r.strip()) <= set("|-: ")]
    return "\n".join("  ".join(c.strip() for c in row) for row in rows)


def _plain(title: str, info: str, paras: list[str], bp: noise.Boilerplate, rng: random.Random) -> str:
    indent = rng.choice(["", "  ", "　　"])
    gap = rng.choice(["\n", "\n\n", "\n\n\n"])
    lines = bp.head_lines() + [""]
    lines += [title, title] if rng.random() < 0.1 else [title]
    lines += ["", info, ""]
    body = gap.join(indent + (_table_as_text(p) if p.startswith("|") else p) for p in paras)
    text = "\n".join(lines) + "\n" + body + "\n\n" + "\n".join(bp.tail_lines()) + "\n"
    return text.replace("\n", "\r\n") if rng.random() < 0.15 else text


def _markdown(title: str, info: str, paras: list[str]) -> str:
    return f"# {title}\n\n> {info}\n\n" + "\n\n".join(paras) + "\n"


def generate_corpus(out_dir: str | Path, n: int, seed: int = 0) -> list[dict]:
    """Write n documents (reusing an existing corpus of the same seed when it is large enough).
    Returns the manifest entries in document order."""
    out = Path(out_dir)
    meta_path, manifest_path = out / "corpus.json", out / "manifest.jsonl"
    if meta_path.exists() and manifest_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") == generator_version() and meta.get("seed") == seed and meta.get("n", 0) >= n:
            return read_manifest(out)[:n]
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    entries = []
    for i in range(n):
        rng = doc_rng(seed, i)
        art = compose(rng)
        data, suffix, applied = render(art, rng)
        name = f"gen{i:05d}_{art.kind}{suffix}"
        (staging / name).write_bytes(data)
        entries.append({"doc_id": Path(name).stem, "file": name, "kind": art.kind, "province": art.province,
                        "title": art.title, "date": art.date, "outlet": art.outlet, "list_form": art.list_form,
                        **applied, "clusters": [asdict(c) for c in art.clusters]})
    (staging / "manifest.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries),
                                            encoding="utf-8")
    (staging / "corpus.json").write_text(json.dumps({"version": generator_version(), "seed": seed, "n": n}),
                                         encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)  # the corpus appears whole or not at all
    return entries


def read_manifest(corpus_dir: str | Path) -> list[dict]:
    with open(Path(corpus_dir) / "manifest.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def describe(entries: list[dict]) -> str:
    parts = []
    for key in ("kind", "format", "encoding", "script"):
        parts.append(f"{key}: " + ", ".join(f"{k} {v}" for k, v in Counter(e[key] for e in entries).most_common()))
    n_clusters = sum(len(e["clusters"]) for e in entries)
    parts.append(f"pinyin: {sum(e['pinyin'] for e in entries)}, boilerplate: {sum(e['boilerplate'] for e in entries)}, "
                 f"named clusters: {n_clusters}, provinces: {len({e['province'] for e in entries})}")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate realistic cluster articles for benchmarks.")
    p.add_argument("out", help="output folder (replaced)")
    p.add_argument("-n", type=int, default=500, help="number of documents (default 500)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.n < 1:
        print("generate: error: -n must be at least 1", file=sys.stderr)
        return 1
    entries = generate_corpus(args.out, args.n, args.seed)
    print(f"{len(entries)} documents in {args.out}\n{describe(entries)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
