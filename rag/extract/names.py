"""The parts of a written cluster name: where it starts, its place prefix, industry and head noun.

A name is [places][industry][head noun]; the head noun contains 集群 (产业集群, 集群, 先进制造业集群,
战略性新兴产业集群, 特色产业集群 …). Chinese has no spaces, so the start of a name is found by
walking left from the head noun to punctuation or to the last function word / verb before it
(入选, 打造了, 的, 以 …); counts, level words and context places (我市, 全省) in front are not name parts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .places import Prefix, gazetteer

# Longest first: the head noun of a name is the longest of these that ends it.
HEAD_NOUNS = (
    "中小企业特色产业集群", "战略性新兴产业集群", "先进制造业集群", "支柱型雁阵集群", "创新型产业集群",
    "产业创新集群", "先进制造集群", "特色产业集群", "制造业集群", "雁阵集群", "产业集群", "集群",
)
HEAD_RE = re.compile("(?:" + "|".join(HEAD_NOUNS) + ")$")
PROGRAM_OF_HEAD = {
    "中小企业特色产业集群": "中小企业特色产业集群", "战略性新兴产业集群": "战略性新兴产业集群",
    "先进制造业集群": "先进制造业集群", "先进制造集群": "先进制造业集群", "支柱型雁阵集群": "支柱型雁阵集群",
    "雁阵集群": "支柱型雁阵集群", "创新型产业集群": "创新型产业集群",
}

# Characters a name may contain; anything else (punctuation, quotes, newline, space) ends it.
NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9、()（）·]")

_NUM = r"[\d一二两三四五六七八九十百千万几多数]"
# The name starts after the last of these: function words, verbs, counts, years, context places.
STOPS = re.compile(
    r"(?:其中|其他|首个|首家|有望|冲刺|未来|等|的|了|是|为|在(?!线)|对(?!虾|外)|把|将|被|(?<!自)由|从|向(?!日葵)|以(?!色列)|而|但|则|于(?!都)|着|到|至|"
    r"让|使|给|如(?!皋|东)|有(?!色|机|限)|无(?!锡|人|线|机|纺|菌|缝|水|极|氟|铅)|又|也|亦|均|还|再|已|并|且|或|"
    r"该|此|这|那|各|每|某|其(?!他)|入选|入围|入列|跻身|列入|纳入|进入|评为|认定|确定|命名|授予|获批|获评|荣获|"
    r"获得|成为|作为|称为|视为|包括|包含|涵盖|覆盖|涉及|分别|依托|依靠|围绕|聚焦|推动|推进|促进|加快|加速|加强|"
    r"提升|提高|壮大|做强|做大|做优|做好|抓好|支持|鼓励|引导|指导|培育|打造|创建|争创|建设(?!机械)|建成|构建|形成|"
    r"布局|谋划|实施|开展|发展|拥有|共有|还有|另有|已有|现有|具有|具备|带动|引领|牵头|参与|参加|联合|携手|组建|"
    r"成立|申报|参评|公布|发布|公示|印发|下发|出台|举办|召开|举行|集聚|聚集|汇聚|吸引|对接|融入|助力|赋能|"
    r"位于|地处|例如|比如|诸如|所属|所在|主要|名单|通知|如下|启动|设立|建立|通过|不含|不包括|目前|近期|当前|晋级|迈向|跃升|升级|完善|健全|优化|强化|深化|加大|扩大|更多|一些|若干|众多|诸多|不少|"
    r"大批|更大|更强|争当|争做|迈进|我国|登上|走上|迈上|踏上|荣登|成功|交流|考察|调研|观摩|走访|参观|走进|探讨|分享|宣传|展示|"
    r"学习|借鉴|探索|关注|了解|观察|研究|遴选|评选|评定|选出|推荐|审定|公告|"
    r"今年|去年|明年|前年|当年|同年|近年来?|此前|此后|日前|近日|今后|"
    r"上(?=国家级|省级|市级|县级|自治区级|国家|全国)|"
    r"[一二两三四五六七八九十百千]+$|"
    r"(?:19|20)\d{2}年度?|\d{1,2}月(?:\d{1,2}日)?|" + _NUM + r"+(?:个|大|类|家|批|项|条|只)|\d+(?:\.\d+)?(?![A-Za-z])|"
    r"我省|我市|我区|我县|我州|全省|全市|全区|全县|本省|本市|本区|本县)"
)
# Words in front of a name that qualify the list, not the cluster: 国家级, 首批, 省 (首批) …
LEAD_NOISE = re.compile(
    r"^(?:[、，,和与及暨或\s]+|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,3}[、.．]|国家级|自治区级|省级|市级|县级|区级|世界级|千亿级|万亿级|百亿级|国家(?!电网)|全国|"
    r"首批|第[一二三四五六七八九十\d]+批|新一批|一批|左右|省(?=首批|第|级)|市(?=首批|第|级)|自治区(?=首批|第))+"
)
_TRAIL_NOISE = re.compile(r"[、，,和与及暨或]+$")

_GENERIC_WORD = (
    r"产业|行业|制造业|制造|先进|战略性|新兴|优势|特色|主导|支柱|传统|重点|相关|现代|未来|新型|中小企业|企业|"
    r"创新型|创新|科技|高新技术|国家级|自治区级|省级|市级|县级|世界级|千亿级|万亿级|百亿级|千亿元级|具体|跨市域|跨市|"
    r"跨省域|跨省|跨区域|跨地区|区域|城市|地方|本地|全国|国内|国家|大型|龙头|其他|各类|同类|多个|部分|这些|"
    r"上述|以上|前述|一批|首批|集群|产业链|产业园区|产业园|园区|开发区|基地|世界一流|一流|高水平|高质量|领军|"
    r"标志性|代表性|示范|试点|骨干|优质|重要|省内|市内|县域|市域|镇域|块状|数字|申报|新|大|小|级|型|性|类|"
    r"优秀|典型|成熟|知名|著名|综合|专业|特大|超大|巨型|百强|十强|全部|所有|多数|少数|大多数|"
    r"东部|中部|西部|东北|中西部|东中西部|南部|北部|地区|沿海|沿江|沿边|内陆|长三角|珠三角|京津冀|粤港澳|大湾区|"
    r"成渝|黄河流域|长江经济带|都市圈|城市群|经济圈|一带一路"
)
_FUNCTION_CHARS = set("第等的各该新大小级型个批类和及与之其首全本我这那每某多几两些")
GENERIC_INDUSTRY = re.compile(r"^(?:" + _GENERIC_WORD + r")+$")
_BAD_INDUSTRY = re.compile(r"(?:领域|方面|行业|级|类)$|[的是了]|^[和与及、]|[、]$")


@dataclass
class ParsedName:
    name: str  # places + industry + head, as written (normalised, no spaces)
    prefix: Prefix
    industry: str
    head: str

    @property
    def regions(self) -> list[str]:
        return self.prefix.regions

    @property
    def province(self) -> Optional[str]:
        return self.prefix.province

    @property
    def program(self) -> Optional[str]:
        return PROGRAM_OF_HEAD.get(self.head)


def name_start(segment: str) -> int:
    """Offset in `segment` (the text before a head noun) where the cluster name begins."""
    start = 0
    for m in STOPS.finditer(segment):
        start = m.end()
    m = LEAD_NOISE.match(segment[start:])
    if m:
        start += m.end()
    return _place_start(segment, start)


def _place_start(segment: str, start: int) -> int:
    """Move the start back when it cuts a place name in two (天等县, 周至县, 和田市 hold stop words)."""
    known = gazetteer().known
    for k in range(max(0, start - 5), start):
        for length in range(7, 1, -1):
            if k + length >= start and segment[k:k + length] in known and k + length <= len(segment):
                return k
    return start


def trim_trailing(segment: str) -> str:
    return _TRAIL_NOISE.sub("", segment)


def valid_industry(industry: str, after_place: bool = False) -> bool:
    """An industry names a trade: 2+ characters, or one after a place (桂林市茶产业集群), never only
    generic words (特色优势, 千亿级), a domain (…领域), or places (成渝)."""
    industry = industry.strip()
    han = sum(1 for c in industry if "\u4e00" <= c <= "\u9fff")
    if han < (1 if after_place else 2) and not re.search(r"[A-Za-z]", industry):
        return False
    if han == 1 and industry in _FUNCTION_CHARS:
        return False  # 深圳第4个…: an ordinal, not an industry
    if _BAD_INDUSTRY.search(industry) or GENERIC_INDUSTRY.match(industry):
        return False
    if gazetteer().parse_prefix(industry + "业").end >= len(industry):
        return False  # only places (成渝, 京津冀): a region, not an industry
    depth = 0
    for c in industry:
        depth += c in "(（"
        depth -= c in ")）"
        if depth < 0:
            return False
    return depth == 0


def parse_name(body: str, head: str, province_hint: Optional[str] = None) -> Optional[ParsedName]:
    """`body` is the name without its head noun (places + industry). None when it names no cluster."""
    body = re.sub(r"\s+", "", body)
    if not body:
        return None
    prefix = gazetteer().parse_prefix(body, province_hint)
    industry = body[prefix.end:]
    lead = LEAD_NOISE.match(industry)  # 河南省首批… : level words after the place
    after_place = bool(prefix.places)
    if lead and lead.end():
        rest = industry[lead.end():]
        if not valid_industry(rest, after_place):
            return None
        return ParsedName(body[: prefix.end] + rest + head, prefix, rest, head)
    if not valid_industry(industry, after_place):
        return None
    return ParsedName(body + head, prefix, industry, head)


def split_head(text: str) -> tuple[str, str]:
    """(body, head noun) of text ending in 集群."""
    m = HEAD_RE.search(text)
    if not m:
        return text, ""
    return text[: m.start()], m.group(0)


def minimal_head(head: str) -> str:
    """The shared head noun given to each member of a compressed list: 产业集群 or 集群."""
    return "产业集群" if head.endswith("产业集群") else "集群"
