"""The mess real pages carry, applied to a clean generated article: Traditional script, pasted
pinyin readings, half-width punctuation, web boilerplate, HTML pages, legacy encodings."""
from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from functools import lru_cache

from bench.facts import PINYIN

_HALF_WIDTH = str.maketrans({"，": ",", "：": ":", "（": "(", "）": ")", "；": ";", "！": "!", "？": "?"})
_FULL_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@lru_cache(maxsize=None)
def _converter(variant: str):
    import opencc

    return opencc.OpenCC(variant)


def to_traditional(text: str, variant: str) -> str:
    """variant: s2t (OpenCC standard), s2tw (Taiwan), s2hk (Hong Kong)."""
    return _converter(variant).convert(text)


def add_pinyin(text: str, rng: random.Random, rate: float) -> str:
    """Paste a reading after some characters, the way some aggregators do: 發(fā)布."""
    out = []
    for ch in text:
        out.append(ch)
        reading = PINYIN.get(ch)
        if reading and rng.random() < rate:
            out.append(f"({reading})")
    return "".join(out)


def half_width_punctuation(text: str) -> str:
    return text.translate(_HALF_WIDTH)


def full_width_digits(text: str) -> str:
    return text.translate(_FULL_DIGITS)


@dataclass
class Boilerplate:
    """What a scraped page shows around the article body."""

    menu: list[str] = field(default_factory=list)
    crumb: str = ""
    share: str = ""
    editor: str = ""
    related_header: str = ""
    related: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)

    def head_lines(self) -> list[str]:
        return self.menu + ([self.crumb] if self.crumb else [])

    def tail_lines(self) -> list[str]:
        lines = [x for x in (self.share, self.editor) if x]
        if self.related:
            lines += [self.related_header] + self.related
        return lines + self.footer


def boilerplate(rng: random.Random, site: str, related_titles: list[str], region: str) -> Boilerplate:
    """region: the one-character province abbreviation in the site's ICP licence (豫, 鲁 …)."""
    menus = [["首页", "要闻", "政务", "经济", "视频", "图说", "专题", "数字报"],
             ["网站首页", "政务公开", "政务服务", "互动交流", "走进本市", "专题专栏"],
             ["新闻", "财经", "产业", "地方", "评论", "图片", "English"]]
    b = Boilerplate()
    if rng.random() < 0.6:
        b.menu = rng.choice(menus)
    if rng.random() < 0.6:
        b.crumb = rng.choice(["您的位置：首页 > 新闻中心 > 产业动态", "当前位置：首页 > 政务公开 > 工作动态",
                              "首页 > 经济 > 正文", "您现在的位置：首页 >> 要闻 >> 本地新闻"])
    if rng.random() < 0.5:
        b.share = rng.choice(["【打印本页】【关闭窗口】", "分享到：微信 微博 QQ空间", "扫一扫在手机打开当前页"])
    b.editor = f"（责任编辑：{rng.choice('王李张刘陈杨黄赵')}{rng.choice('晓明丽静强华伟敏')}）"
    if related_titles and rng.random() < 0.7:
        b.related_header = rng.choice(["相关阅读", "相关新闻", "推荐阅读", "【相关阅读】"])
        b.related = [f"{t}  {rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                     for t in related_titles]
    if rng.random() < 0.7:
        year = rng.randint(2020, 2025)
        b.footer = [rng.choice([f"版权所有 © {year} {site} 保留所有权利",
                                f"Copyright © 2008-{year} {site} All Rights Reserved",
                                f"主办单位：{site}  网站标识码：{rng.randint(1000000000, 9999999999)}"]),
                    f"{region if rng.random() < 0.7 else '京'}ICP备{rng.randint(10000000, 99999999)}号"]
    return b


def html_page(title: str, info: str, paragraphs: list[str], bp: Boilerplate, rng: random.Random,
              charset: str) -> str:
    """A full page: head with scripts, navigation, article body in <p>/<table>, related links, footer."""
    e = html.escape
    nav = "".join(f'<li><a href="/c{i}/">{e(x)}</a></li>' for i, x in enumerate(bp.menu))
    crumb = f'<div class="crumb">{e(bp.crumb)}</div>' if bp.crumb else ""
    body = "\n".join(_table(p, e) if p.startswith("|") else f"<p>{_entities(e(p), rng)}</p>" for p in paragraphs)
    related = "".join(f'<li><a href="/a/{rng.randint(10000, 99999)}.html">{e(x)}</a></li>' for x in bp.related)
    related_block = f'<div class="related"><h3>{e(bp.related_header)}</h3><ul>{related}</ul></div>' if related else ""
    tail = "".join(f"<p>{e(x)}</p>" for x in (bp.share, bp.editor) if x)
    foot = "<br>".join(e(x) for x in bp.footer)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n<title>{e(title)}</title>\n'
            f'<script>var _hmt = _hmt || []; window.dataLayer = [];</script>\n'
            f'<style>.content p{{text-indent:2em}}</style>\n</head>\n<body>\n'
            f'<div class="header"><ul class="nav">{nav}</ul></div>\n{crumb}\n'
            f'<div class="article">\n<h1>{e(title)}</h1>\n<div class="info">{e(info)}</div>\n'
            f'<div class="content" id="zoom">\n{body}\n</div>\n{tail}\n</div>\n'
            f'{related_block}\n<div class="footer">{foot}</div>\n</body>\n</html>\n')


def _entities(escaped: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        escaped = escaped.replace("“", "&ldquo;").replace("”", "&rdquo;")
    if rng.random() < 0.3:
        escaped = "&nbsp;&nbsp;" + escaped
    return escaped


def _table(rows: str, e) -> str:
    """A paragraph starting with | holds Markdown-style table rows, one per line."""
    cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows.split("\n")
             if r.strip() and not set(r.strip()) <= set("|-: ")]
    trs = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in cells)
    return f"<table>{trs}</table>"


def pick_encoding(rng: random.Random, script: str, is_html: bool) -> str:
    """An encoding a Chinese site of that script plausibly uses (Big5 for Taiwan forms: OpenCC's
    standard and Hong Kong forms use characters such as 羣 that Big5 lacks)."""
    if script == "s2tw":
        choice = rng.choices(["utf-8", "big5"], [0.5, 0.5])[0]
    elif script != "simplified":
        choice = rng.choices(["utf-8", "utf-16"], [0.85, 0.15])[0]
    else:
        choice = rng.choices(["utf-8", "gb18030", "utf-8-sig", "utf-16"], [0.65, 0.2, 0.1, 0.05])[0]
    return "utf-8" if is_html and choice == "utf-16" else choice
