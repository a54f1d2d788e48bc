"""Line-level web boilerplate detection: menus, share bars, footers, related-link lists.

Works on signals, not on a list of known pages: short-line runs (menus), breadcrumb and
share-bar shapes, footer phrases (copyright, ICP licences, contact lines), and the tail of
link lists that follows a "related reading" header once the article body has been seen.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .core.chinese import fold

_SENTENCE_END = re.compile(r"[。！？；!?;]")
_FOOTER = re.compile(
    r"版权所有|版权声明|免责声明|版权及免责|保留所有权利|all rights reserved|copyright|©|ICP备|ICP证|公网安备|"
    r"许可证编号|许可证号|举报电话|举报邮箱|违法和不良信息|关于我们|联系我们|广告服务|网站地图|隐私政策|"
    r"自律管理承诺|转载时须|未经授权|不得转载|本网站|本网所属|扫一扫|扫码|分享到|^责任编辑|^编辑[:：]|^审核[:：]|"
    r"^校对[:：]|^上一篇|^下一篇|^来源[:：]\S{0,20}$|打印本页|关闭窗口|返回顶部|字号[:：]?[大中小]",
    re.IGNORECASE,
)
# Headers that open a list of links to other pages.
_LINK_LIST_HEADER = re.compile(
    r"^(?:#{1,6}\s*)?(?:【)?(?:相关阅读|延伸阅读|推荐阅读|相关推荐|相关内容|相关新闻|相关文章|相关链接|相关词条|热门词条|热门资讯|"
    r"热点新闻|热点视频|热点舆情|热点推荐|热门推荐|热门文章|热门新闻|标签阅读|猜你喜欢|更多阅读|更多新闻|网友评论|"
    r"精彩推荐|最新资讯|今日推荐|图片新闻|新闻排行|点击排行|阅读排行)(?:】)?\s*[:：]?\s*$"
)
_BREADCRUMB = re.compile(r"(?:您的位置|当前位置|你的位置|您现在的位置)|(?:首页\s*[>＞»›])|(?:[>＞»›]\s*\S{1,8}\s*[>＞»›])")
_SHARE = re.compile(r"^(?:分享|分享到|收藏|打印|关闭|A\+|A-|A\+\s*A-|【?字体|字号|[大中小]\s*[大中小]?\s*[大中小]?)")
_SEPARATED_MENU = re.compile(r"^(?:[^|｜]{1,8}[|｜]){3,}[^|｜]{0,8}$")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)")
_BULLET = re.compile(r"^\s*(?:[•·●◆■□▪\-–—]|\d{1,2}[.、．)]\s*)")


_WORD_RUN = re.compile(r"[^\W_]{8,}")  # 8+ letters, digits or CJK characters in a row
_A_SENTENCE = re.compile(r"[^\W_]{2}[^\n]*?[。！？!?]")


def has_article_text(text: str) -> bool:
    """Whether normalised text reads as writing rather than page furniture: a menu such as
    `首页 | 新闻 | 关于` neither runs 8 characters without a break nor ends a sentence."""
    return bool(_WORD_RUN.search(text) or _A_SENTENCE.search(text))


@dataclass
class LineDecision:
    start: int  # offsets of the line in the original (without the newline)
    end: int
    keep: bool
    reason: str = ""


def _is_short(folded: str) -> bool:
    return 0 < len(folded) <= 6 and not _SENTENCE_END.search(folded)


def _prose(folded: str) -> bool:
    return len(folded) >= 40 and bool(_SENTENCE_END.search(folded)) and not _TRUNCATED.search(folded)


def classify_lines(original: str) -> list[LineDecision]:
    """Decide for each line of the original text whether it is article text."""
    decisions: list[LineDecision] = []
    pos = 0
    for raw in original.split("\n"):
        decisions.append(LineDecision(pos, pos + len(raw), True))
        pos += len(raw) + 1
    folded = [fold(original[d.start:d.end]) for d in decisions]
    nonempty = [i for i, f in enumerate(folded) if f]
    total_prose = sum(len(folded[i]) for i in nonempty if _prose(folded[i]))

    for i, f in enumerate(folded):
        d = decisions[i]
        if not f:
            d.keep, d.reason = False, "blank"
        elif _FOOTER.search(f):
            d.keep, d.reason = False, "footer"
        elif _SEPARATED_MENU.match(f) and not _table_row(i, folded, nonempty):
            d.keep, d.reason = False, "menu"
        elif _BREADCRUMB.search(f) and len(f) < 60:
            d.keep, d.reason = False, "breadcrumb"
        elif _SHARE.match(f) and len(f) <= 12:
            d.keep, d.reason = False, "share bar"
        elif f in {"-", "—", "?", "|"}:
            d.keep, d.reason = False, "fragment"

    # Menus: runs of 3+ consecutive short non-sentence lines (the rows of a table are not a menu).
    run: list[int] = []
    for i in nonempty + [None]:
        if i is not None and _table_row(i, folded, nonempty):
            i = None
        if i is not None and _is_short(folded[i]) and (not run or _adjacent(run[-1], i, folded)):
            run.append(i)
            continue
        if len(run) >= 3:
            for j in run:
                decisions[j].keep, decisions[j].reason = False, "menu"
        run = [i] if i is not None and _is_short(folded[i]) else []

    # Link lists: after a header such as 相关阅读, once most of the article prose is behind us,
    # drop the header and the lines that follow until real prose returns.
    seen_prose = 0
    dropping = False
    for i in nonempty:
        f = folded[i]
        if _LINK_LIST_HEADER.match(f) and (seen_prose >= 0.5 * total_prose or seen_prose >= 200):
            dropping = True
        elif dropping and _prose(f) and not _BULLET.match(f) and len(f) >= 80:
            dropping = False
        if dropping:
            decisions[i].keep, decisions[i].reason = False, "link list"
        elif _prose(f):
            seen_prose += len(f)
    return decisions


def _cells(f: str) -> int:
    return f.count("|") + f.count("｜")


def _table_row(i: int, folded: list[str], nonempty: list[int]) -> bool:
    """A line of a rendered table (`序号 | 集群名称 | 产值（亿元）`, rows from rag/load.py and
    rag/load_office.py): the next or previous non-empty line has as many cell separators, and one
    of the two holds a figure. A menu (`首页 | 新闻 | 关于`) has neither."""
    n = _cells(folded[i])
    if n < 2:
        return False
    k = nonempty.index(i)
    for j in (k - 1, k + 1):
        if 0 <= j < len(nonempty):
            other = folded[nonempty[j]]
            if _cells(other) == n and (_DIGIT.search(other) or _DIGIT.search(folded[i])):
                return True
    return False


_DIGIT = re.compile(r"\d")


def _adjacent(prev: int, cur: int, folded: list[str]) -> bool:
    """Two non-empty lines belong to one run when only blank lines lie between them."""
    return all(not folded[k] for k in range(prev + 1, cur))
