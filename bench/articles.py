"""Clean article bodies about industrial clusters, composed from templates and public facts.

Five kinds, in the proportions news sites and government portals publish them:
list notices (a body's list or 公示 of recognised clusters, in several list forms), single-cluster
news, city economic reports (compressed lists such as 甲和乙2个产业集群), provincial round-ups, and
policy plans that talk about clusters without naming any (targets, counts, domains: distractors).
Every cluster an article names is recorded with its fields so the corpus is self-describing.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Optional

from bench.facts import (BATCHES, COMPANY_SUFFIXES, COMPANY_WORDS, DEPARTMENTS, GIVEN, INDUSTRIES, LEVEL_WORDS,
                         NATIONAL_OUTLETS, PROGRAMS, PROVINCES, SURNAMES, ZONES, province_name)

CN_DIGITS = "零一二三四五六七八九十"


@dataclass
class Cluster:
    name: str
    industry: str
    regions: list[str]
    province: Optional[str]
    level: Optional[str]
    program: Optional[str]
    recognised_by: Optional[str]
    year: Optional[int]
    batch: Optional[int]
    # False for members of a compressed list (甲和乙2个产业集群): the name is member + shared head noun
    written_whole: bool = True


@dataclass
class Article:
    kind: str
    title: str
    date: str
    outlet: str
    province: str
    paragraphs: list[str]
    clusters: list[Cluster] = field(default_factory=list)
    list_form: Optional[str] = None


def bare(place: str) -> str:
    """郑州市 -> 郑州 (names are often written without the suffix); districts keep theirs."""
    return place[:-1] if place.endswith("市") and len(place) > 2 else place


def cn_number(n: int) -> str:
    if n <= 10:
        return CN_DIGITS[n]
    return (CN_DIGITS[n // 10] if n >= 20 else "") + "十" + (CN_DIGITS[n % 10] if n % 10 else "")


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def company(rng: random.Random, city: str) -> str:
    return bare(city)[:2] + "".join(rng.sample(COMPANY_WORDS, 2)) + rng.choice(COMPANY_SUFFIXES)


class Composer:
    """Builds one article from a seeded random source; every choice goes through self.rng."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.province = rng.choice(list(PROVINCES))
        self.short, self.cities, self.counties = PROVINCES[self.province]
        self.city = rng.choice(self.cities)
        self.whole = "全市" if self.province.endswith("市") else "全省"  # municipalities are provinces too
        self.year = rng.randint(2019, 2025)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        pub_year = self.year + (1 if month < 3 and rng.random() < 0.5 else 0)
        self.date = f"{pub_year}-{month:02d}-{day:02d}"
        self.month_day = f"{month}月{day}日"

    # --- clusters ---------------------------------------------------------------------------

    def industries(self, n: int) -> list[str]:
        return self.rng.sample(list(INDUSTRIES), n)

    def place(self, style: str, local: bool = False) -> tuple[str, list[str]]:
        """(written place prefix, regions) for a cluster name; local keeps it in the article's city."""
        rng = self.rng
        city = self.city if local else rng.choice(self.cities)
        counties = [k for k, parent in self.counties.items() if parent == city or not local]
        if style == "city":
            return (city if rng.random() < 0.7 else bare(city)), [city]
        if style == "county" and counties:
            county = rng.choice(counties)
            parent = self.counties[county]
            return (bare(parent) + county, [parent, county]) if rng.random() < 0.5 else (county, [county])
        if style == "zone":
            zone = rng.choice(ZONES)
            return bare(city) + zone, [city, bare(city) + zone]
        if style == "multi":
            cities = rng.sample(self.cities, min(len(self.cities), rng.randint(2, 3)))
            return "、".join(cities), cities
        return city, [city]

    def cluster(self, industry: str, program: Optional[str], level: Optional[str], body: Optional[str],
                year: Optional[int], batch: Optional[int], style: Optional[str] = None,
                head: Optional[str] = None, local: bool = False) -> Cluster:
        rng = self.rng
        style = style or rng.choices(["city", "county", "zone", "multi", "province"], [0.55, 0.15, 0.1, 0.1, 0.1])[0]
        head = head or rng.choice(PROGRAMS[program]["heads"] if program else ["产业集群", "集群"])
        if style == "province":
            cities = rng.sample(self.cities, min(len(self.cities), rng.randint(2, 4)))
            name = f"{self.province}{industry}{head}（{'、'.join(cities)}）"
            regions = cities
        elif style == "none":
            name, regions = industry + head, []
        else:
            prefix, regions = self.place(style, local)
            name = prefix + industry + head
        return Cluster(name, industry, regions, self.province, level, program, body, year, batch)

    def listing(self, n: int, level: str, program: str, body: Optional[str], batch: Optional[int],
                style: Optional[str] = None) -> list[Cluster]:
        head = self.rng.choice(PROGRAMS[program]["heads"])
        local = level == "municipal"
        if local and style is None:
            style = self.rng.choice(["city", "county", "zone"])
        return [self.cluster(ind, program, level, body, self.year, batch, style, head, local) for ind in self.industries(n)]

    def body(self, program: str, level: str) -> str:
        options = PROGRAMS[program]["bodies"].get(level) or PROGRAMS[program]["bodies"]["provincial"]
        return self.rng.choice(options).format(prov=self.province, city=self.city)

    def program_and_level(self) -> tuple[str, str]:
        program = self.rng.choice(list(PROGRAMS))
        level = self.rng.choice(list(PROGRAMS[program]["bodies"]))
        return program, level

    def outlet(self, level: str) -> str:
        if level == "national" and self.rng.random() < 0.6:
            return self.rng.choice(NATIONAL_OUTLETS)
        place = bare(self.city) if level == "municipal" or self.rng.random() < 0.4 else province_name(self.province)
        return place + self.rng.choice(["日报", "新闻网", "经济报", "发布"])

    def figures(self, subject: str) -> str:
        rng = self.rng
        firms, rev = rng.randint(60, 900), rng.randint(80, 3000)
        return rng.choice([
            f"目前，{subject}拥有规上企业{firms}家，其中高新技术企业{rng.randint(20, firms)}家、"
            f"国家级专精特新“小巨人”企业{rng.randint(2, 40)}家，{self.year - 1}年实现营业收入{rev}亿元，同比增长{rng.randint(3, 25)}.{rng.randint(0, 9)}%。",
            f"{self.year - 1}年，{subject}主营业务收入突破{rev}亿元，集聚上下游企业{firms}余家，带动就业{rng.randint(2, 30)}万人。",
            f"数据显示，{subject}产值占全市规上工业的{rng.randint(8, 40)}%，研发投入强度达{rng.randint(2, 6)}.{rng.randint(0, 9)}%，"
            f"拥有省级以上研发平台{rng.randint(10, 120)}个。",
        ])

    def quote(self) -> str:
        rng = self.rng
        dept = rng.choice(list(DEPARTMENTS))
        return (f"“下一步，我们将以此次入选为契机，{rng.choice(['强化链主企业引领', '完善公共服务平台', '加大招商引资力度', '推动数字化转型'])}，"
                f"推动集群向{rng.choice(['高端化', '智能化', '绿色化', '国际化'])}方向发展。”{self.city}{dept}{rng.choice(DEPARTMENTS[dept])}"
                f"{person(rng)}表示。")

    def target(self) -> str:
        rng = self.rng
        return rng.choice([
            f"力争到{self.year + rng.randint(2, 5)}年，集群规模突破{rng.randint(5, 40) * 100}亿元，打造具有全国影响力的产业高地。",
            f"根据规划，到{self.year + rng.randint(2, 5)}年{rng.choice([self.whole, '全市'])}将培育{rng.randint(3, 30)}个千亿级产业集群。",
            f"下一步，将围绕{'、'.join(self.industries(3))}等领域，梯次培育一批具有核心竞争力的产业集群。",
        ])


def list_lines(names: list[str], form: str) -> list[str]:
    """The same list written the ways pages write it; each returned string is one paragraph."""
    if form == "numbered":
        return [f"{i}.{n}" for i, n in enumerate(names, 1)]
    if form == "paren_numbered":
        return [f"（{cn_number(i)}）{n}" for i, n in enumerate(names, 1)]
    if form == "cn_ordinal":
        return [f"{cn_number(i)}、{n}" for i, n in enumerate(names, 1)]
    if form == "bullets":
        return [f"- {n}" for n in names]
    if form == "table":
        rows = ["| 序号 | 集群名称 | 主导产业 |", "| --- | --- | --- |"]
        return ["\n".join(rows + [f"| {i} | {n} | — |" for i, n in enumerate(names, 1)])]
    if form == "semicolon":
        return ["；".join(names) + "。"]
    return ["分别是：" + "、".join(names) + "。"]  # inline


LIST_FORMS = ["numbered", "paren_numbered", "cn_ordinal", "bullets", "table", "semicolon", "inline"]


def list_notice(c: Composer) -> Article:
    rng = c.rng
    program, level = c.program_and_level()
    body = c.body(program, level)
    batch = rng.choice([None, 1, 1, 2, 3])
    batch_word = rng.choice(BATCHES[batch]) if batch else ""
    level_word = rng.choice(LEVEL_WORDS[level])
    scope = {"national": "", "provincial": c.province, "municipal": c.city}[level]
    clusters = c.listing(rng.randint(3, 14), level, program, body, batch, None)
    form = rng.choice(LIST_FORMS)
    public_notice = rng.random() < 0.4
    title = (f"关于{c.year}年{scope}{batch_word}{level_word}{program}名单的公示" if public_notice
             else rng.choice([f"{c.year}年{scope}{level_word}{program}名单公布",
                              f"{body}公布{batch_word}{len(clusters)}个{level_word}{program}",
                              f"{scope}{batch_word}{program}名单出炉 {c.short}{len(clusters)}个集群入选"]))
    intro = rng.choice([
        f"{c.month_day}，{body}{rng.choice(['正式公布', '印发', '发布'])}{c.year}年{scope}{batch_word}{level_word}{program}名单，共{len(clusters)}个集群入选。",
        f"根据《关于开展{c.year}年{scope}{program}培育认定工作的通知》要求，经地方推荐、专家评审、实地核查等程序，"
        f"{body}确定了{batch_word}{len(clusters)}个{level_word}{program}，现将名单予以公示。",
        f"为加快构建现代化产业体系，{c.year}年{body}组织开展了{batch_word}{level_word}{program}认定工作。经审核，以下集群入选：",
    ])
    paras = [intro]
    if form not in ("inline", "semicolon") and not intro.endswith("："):
        paras.append(rng.choice(["名单如下：", f"{c.year}年{scope}{program}名单", "附件："]))
    paras += list_lines([x.name for x in clusters], form)
    if public_notice:
        paras.append(f"公示期为{c.month_day}起5个工作日。如有异议，请在公示期内以书面形式向{body}反映。"
                     f"联系电话：0{rng.randint(10, 999)}-{rng.randint(60000000, 89999999)}。")
    paras.append(rng.choice([c.figures("入选集群"), c.target(), c.quote()]))
    if rng.random() < 0.5:
        paras.append(f"{body}\n{c.date[:4]}年{int(c.date[5:7])}月{int(c.date[8:])}日")
    return Article("list_notice", title, c.date, c.outlet(level), c.province, paras, clusters, form)


def single_news(c: Composer) -> Article:
    rng = c.rng
    program, level = c.program_and_level()
    body = c.body(program, level)
    batch = rng.choice([None, 1, 2])
    cl = c.cluster(c.industries(1)[0], program, level, body, c.year, batch,
                   rng.choice(["city", "county", "zone"]), local=True)
    short = cl.name.split("（")[0]
    level_word = rng.choice(LEVEL_WORDS[level])
    title = rng.choice([f"{short}入选{level_word}{program}名单", f"喜报！{short}获评{level_word}{program}",
                        f"{bare(c.city)}再添一个{level_word}产业集群"])
    firms = [company(rng, c.city) for _ in range(rng.randint(2, 3))]
    paras = [
        f"{c.month_day}，{body}公布{c.year}年度{rng.choice(BATCHES[batch]) if batch else ''}{program}名单，{cl.name}成功入选。"
        f"这是{bare(c.city)}{rng.choice(['首个', '又一个', '第二个'])}入选该名单的产业集群。",
        c.figures("该集群"),
        f"集群以{'、'.join(firms)}等龙头企业为引领，形成了涵盖{rng.choice(['研发设计、生产制造、检测认证', '原材料、零部件、整机', '上游材料、中游制造、下游应用'])}的完整产业链。",
        c.quote(),
        c.target(),
    ]
    if rng.random() < 0.4:
        paras.insert(2, f"近年来，{bare(c.city)}坚持把{cl.industry}产业作为主导产业，先后出台专项扶持政策{rng.randint(3, 12)}项，"
                        f"建成公共服务平台{rng.randint(2, 15)}个，产业集聚效应日益凸显。")
    return Article("single_news", title, c.date, c.outlet(level), c.province, paras, [cl])


def city_report(c: Composer) -> Article:
    """A city paper: 我市甲和乙2个产业集群… (names without place, province from the paper's city)."""
    rng = c.rng
    inds = c.industries(rng.randint(6, 8))
    big, mid, listed = inds[:2], inds[2:-2], inds[-2:]
    program = rng.choice(["战略性新兴产业集群", "先进制造业集群", "特色产业集群"])
    batch = rng.choice([1, 2])
    head = "产业集群"
    clusters = [c.cluster(i, None, None, None, None, None, "none", head) for i in big + mid]
    clusters += [c.cluster(i, program, "provincial", None, None, batch, "none", head) for i in listed]
    for x in clusters:
        x.written_whole = False
    paras = [
        f"本报讯 {c.month_day}，市政府新闻办公室举行新闻发布会，介绍{bare(c.city)}{c.year}年工业经济运行和产业集群培育有关情况。",
        f"记者从会上获悉，我市{big[0]}和{big[1]}2个产业集群年营收突破{rng.randint(10, 30) * 100}亿元，"
        f"{'、'.join(mid)}等{len(mid)}个产业集群年营收超{rng.randint(2, 9) * 100}亿元；"
        f"{listed[0]}、{listed[1]}2个产业集群入选省{rng.choice(BATCHES[batch])}{program}。",
        f"今年以来，全市规上工业增加值同比增长{rng.randint(3, 12)}.{rng.randint(0, 9)}%，"
        f"其中高技术制造业增加值增长{rng.randint(5, 25)}.{rng.randint(0, 9)}%。",
        c.target(),
        c.quote(),
    ]
    title = rng.choice([f"我市{len(inds)}个产业集群加速壮大", f"{bare(c.city)}产业集群培育取得新成效",
                        f"聚链成群 {bare(c.city)}工业经济稳中向好", f"{big[0]}、{big[1]}双双迈上千亿台阶",
                        f"{c.year}年{bare(c.city)}规上工业增加值增长{rng.randint(3, 12)}%"])
    return Article("city_report", title, c.date, bare(c.city) + "日报", c.province, paras, clusters)


def roundup(c: Composer) -> Article:
    rng = c.rng
    national = c.listing(rng.randint(1, 3), "national", "先进制造业集群", "工业和信息化部", None, "city")
    sei = c.listing(rng.randint(2, 5), "national", "战略性新兴产业集群", "国家发展改革委", 1, "city")
    sme_body = rng.choice(PROGRAMS["中小企业特色产业集群"]["bodies"]["national"])
    sme = c.listing(rng.randint(2, 6), "national", "中小企业特色产业集群", sme_body, None, "county")
    paras = [
        f"截至{c.year}年底，{c.province}累计拥有国家先进制造业集群{len(national)}个、国家级战略性新兴产业集群{len(sei)}个、"
        f"国家级中小企业特色产业集群{len(sme)}个，集群总数居全国第{rng.randint(2, 15)}位。",
        f"其中，{'、'.join(x.name for x in national)}入选工业和信息化部公布的国家先进制造业集群名单。",
        f"在国家发展改革委公布的第一批战略性新兴产业集群中，{c.province}的{'、'.join(x.name for x in sei)}榜上有名。",
        f"{c.year}年度中小企业特色产业集群名单中，{c.province}入选的{len(sme)}个集群分别是："
        + "、".join(x.name for x in sme) + "。",
        c.figures("全省产业集群"),
        c.target(),
    ]
    for group in (national, sei, sme):
        for x in group:
            x.year = None if group is not sme else c.year
    title = rng.choice([f"{c.province}产业集群“家底”盘点", f"一图读懂｜{c.short}产业集群版图", f"{c.province}国家级产业集群增至{len(national) + len(sei) + len(sme)}个"])
    return Article("roundup", title, c.date, c.outlet("provincial"), c.province, paras, national + sei + sme)


def policy_plan(c: Composer) -> Article:
    """Talks about clusters (targets, counts, domains, events) but names none."""
    rng = c.rng
    inds = c.industries(5)
    horizon = c.year + rng.randint(2, 6)
    paras = [
        f"近日，{c.province}人民政府办公厅印发《关于加快培育先进制造业集群的实施意见》（以下简称《实施意见》）。",
        f"《实施意见》提出，到{horizon}年，力争培育{rng.randint(2, 10)}个国家级先进制造业集群、{rng.randint(10, 40)}个省级战略性新兴产业集群，"
        f"形成{rng.randint(3, 12)}个万亿级、{rng.randint(10, 40)}个千亿级产业集群。",
        f"目前，{c.whole}已形成一批以{inds[0]}、{inds[1]}、{inds[2]}等为特色的产业集群，{rng.randint(20, 90)}个集群年营收超百亿元。",
        f"从领域看，{rng.choice(list(set(INDUSTRIES.values())))}领域集群{rng.randint(3, 13)}个、"
        f"{rng.choice(list(set(INDUSTRIES.values())))}领域{rng.randint(2, 9)}个。",
        f"{c.month_day}，{c.whole}先进制造业集群发展推进会在{bare(c.city)}召开，会议解读了《{c.province}先进制造业集群竞赛评价办法》。",
        f"《实施意见》明确，将支持{inds[3]}、{inds[4]}等领域力争创建{rng.randint(3, 10)}个国家级产业集群，"
        f"对新认定的国家级集群给予最高{rng.randint(5, 30) * 100}万元奖励。",
    ]
    title = rng.choice([f"{c.province}出台实施意见加快培育先进制造业集群", f"到{horizon}年{c.short}将培育一批千亿级产业集群",
                        f"政策解读｜{province_name(c.province)}先进制造业集群培育怎么干",
                        f"{province_name(c.province)}：新认定国家级集群最高奖励{rng.randint(5, 30) * 100}万元"])
    return Article("policy_plan", title, c.date, c.outlet("provincial"), c.province, paras, [])


KINDS = {"list_notice": (list_notice, 0.35), "single_news": (single_news, 0.25), "city_report": (city_report, 0.15),
         "roundup": (roundup, 0.1), "policy_plan": (policy_plan, 0.15)}


def compose(rng: random.Random) -> Article:
    kind = rng.choices(list(KINDS), [w for _, w in KINDS.values()])[0]
    return KINDS[kind][0](Composer(rng))
