"""The page in a real headless Chromium (Debian's chromium, driven by Playwright), against a real
`rag serve` process: sign in with the token, ask a seed question, click citation [1] and find the
cited span highlighted; filter and sort the cluster table; the lists; upload and delete a file; a
phone-width screen. Screenshots go to reports/ui/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from support_chroma import ROOT
from support_serve import ARTICLE, QUESTION, copy_served, rag_serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "reports" / "ui"
TOKEN = "browser-test-token-19c2"
# Flags for a headless Chromium run as root on a machine without a network (no background calls)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

if not Path(CHROMIUM).is_file():
    if os.environ.get("CI"):  # CI installs Debian's chromium (.ci/run): its absence there is a failure
        raise RuntimeError(f"no Chromium at {CHROMIUM}: .ci/run installs it with apt-get")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    db = copy_served(tmp_path_factory.mktemp("serve-browser") / "db")
    with rag_serve(db, token=TOKEN) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, base):
    """A new signed-in page at 1280×800; fails the test on a script error or a request elsewhere."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.on("request", lambda r: r.url.startswith(base) or errors.append(f"request elsewhere: {r.url}"))
    page.on("dialog", lambda d: d.accept())
    page.goto(base + "/")
    assert "需要访问令牌" in page.content()  # the token is checked on the page too
    page.fill("#t", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector("#ask-form")
    yield page
    context.close()
    assert errors == []


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_ask_then_citation_one_opens_the_document_at_the_highlighted_span(page):
    page.fill("#question", QUESTION)
    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as reply:
        page.click("#ask-form button")
    answer = reply.value.json()
    page.wait_for_selector("#citations li")
    assert page.inner_text("#answer").strip() == answer["answer"]
    assert page.locator("#citations li").count() == len(answer["citations"]) == 5
    _shot(page, "ask.png")

    first = answer["citations"][0]
    page.click("#citations li >> nth=0 >> a.cite")
    mark = page.wait_for_selector("#viewer-text mark")
    assert mark.text_content() == first["text"]  # the highlighted text is the citation, as written
    assert "戰(zhàn)略" in first["text"]  # Traditional script and pinyin shown as the original has them
    box, pane = mark.bounding_box(), page.locator("#viewer-text").bounding_box()
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]  # scrolled into view
    before = page.evaluate("document.getElementById('viewer-text').textContent")
    assert len(before) > 1000 and before.index(first["text"]) >= 0
    _shot(page, "citation.png")
    page.keyboard.press("Escape")
    assert page.is_hidden("#viewer")

    page.click("#citations li >> nth=3 >> a.cite")  # another citation: its own span
    assert page.wait_for_selector("#viewer-text mark").text_content() == answer["citations"][3]["text"]


def test_cluster_table_filters_sorts_and_links_to_evidence(page):
    page.click("nav a[data-tab=clusters]")
    page.wait_for_selector("#cluster-table tbody tr")
    total = page.locator("#cluster-table tbody tr").count()
    assert total >= 20
    with page.expect_response(lambda r: "province=" in r.url):
        page.select_option("select[name=province]", "山东省")
    page.wait_for_function(f"document.querySelectorAll('#cluster-table tbody tr').length < {total}")
    provinces = page.locator("#cluster-table tbody td[data-label=省份]").all_inner_texts()
    assert provinces and set(provinces) == {"山东省"}
    assert "province=%E5%B1%B1%E4%B8%9C%E7%9C%81" in page.get_attribute("#dl-csv", "href")
    assert "format=xlsx" in page.get_attribute("#dl-xlsx", "href")

    page.select_option("select[name=province]", "")
    page.wait_for_function(f"document.querySelectorAll('#cluster-table tbody tr').length === {total}")
    page.click("th[data-key=name]")
    names = page.locator("#cluster-table tbody td[data-label=名称]").all_inner_texts()
    assert names == page.evaluate("ns => ns.slice().sort((a, b) => a.localeCompare(b, 'zh-CN'))", names)
    assert names != page.evaluate("ns => ns.slice().reverse()", names)
    page.click("th[data-key=year]")
    page.click("th[data-key=year]")  # descending
    years = [y for y in page.locator("#cluster-table tbody td[data-label=年份]").all_inner_texts() if y]
    assert years == sorted(years, reverse=True)

    with page.expect_response(lambda r: "q=" in r.url):
        page.fill("input[name=q]", "高新区超硬材料")
    page.wait_for_function("document.querySelectorAll('#cluster-table tbody tr').length === 1")
    link = page.locator("#cluster-table tbody tr a.evidence").first
    start, end = int(link.get_attribute("data-start")), int(link.get_attribute("data-end"))
    link.click()
    mark = page.wait_for_selector("#viewer-text mark")
    assert "超硬材料" in mark.text_content() and len(mark.text_content()) == end - start
    _shot(page, "clusters.png")


def test_lists_show_issuer_date_count_and_members(page):
    with page.expect_response(lambda r: r.url.endswith("/api/lists")) as reply:
        page.click("nav a[data-tab=lists]")
    stored = next(x for x in reply.value.json() if x["issuer"] == "郑州市发展和改革委员会")
    page.wait_for_selector(".card")
    card = page.locator(".card", has_text="郑州市发展和改革委员会").first
    text = card.inner_text()
    assert "2023-12-26" in text and "5（列出 5）" in text
    assert card.locator("ol li").count() == 5
    card.locator("ol li a.evidence").first.click()
    assert page.wait_for_selector("#viewer-text mark").text_content() == stored["members"][0]["evidence"]["text"]
    _shot(page, "lists.png")


def test_upload_with_progress_then_listed_then_deleted(page, tmp_path):
    source = tmp_path / "芜湖机器人.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    page.click("nav a[data-tab=docs]")
    page.wait_for_selector("#doc-table tbody tr[data-doc]")
    before = page.locator("#doc-table tbody tr[data-doc]").count()
    page.set_input_files("#upload-file", str(source))
    page.click("#upload-form button")
    page.wait_for_selector("#upload-status:has-text('已索引')", timeout=120_000)
    row = page.locator("#doc-table tbody tr[data-doc='芜湖机器人']")
    row.wait_for()
    assert "芜湖市机器人产业集群" in row.inner_text()
    assert page.locator("#doc-table tbody tr[data-doc]").count() == before + 1
    _shot(page, "documents.png")

    page.click("nav a[data-tab=ask]")
    page.fill("#question", "芜湖机器人集群有多少家企业？")
    page.click("#ask-form button")
    page.wait_for_selector("#citations li")
    assert "217" in page.inner_text("#answer")

    page.click("nav a[data-tab=docs]")
    row = page.locator("#doc-table tbody tr[data-doc='芜湖机器人']")
    row.locator("button.danger").click()  # confirm() is accepted by the fixture
    row.wait_for(state="detached")
    assert page.locator("#doc-table tbody tr[data-doc]").count() == before

    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" * 100)
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-form button")
    page.wait_for_selector("#upload-status.error")
    assert "binary" in page.inner_text("#upload-status")


def test_phone_width(browser, base, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.fill("#question", QUESTION)
    page.click("#ask-form button")
    page.wait_for_selector("#citations li")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390  # nothing wider than the screen
    _shot(page, "phone-ask.png")
    page.click("#citations li >> nth=0 >> a.cite")
    mark = page.wait_for_selector("#viewer-text mark")
    box = mark.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 844
    _shot(page, "phone-citation.png")
    page.keyboard.press("Escape")
    page.click("nav a[data-tab=clusters]")
    page.wait_for_selector("#cluster-table tbody tr")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    _shot(page, "phone-clusters.png")
