"""The playbook and the analysis export in a real browser (headless Chromium, as installed by
`make setup`), at desktop (1400 px) and phone (400 px) width: no sideways scrolling (a wide
table or chart scrolls inside its own box), nothing sticking out of a page, no text over text,
every chart drawn, no console error, and no request leaving the machine."""
from __future__ import annotations

import copy

import pytest

from audit.common import runfolder
from audit.report import render
from audit.report.playbook import topics
from audit.report.playbook.context import table_block
from tests.helpers import browser, playbooks

WIDTHS = (1400, 400)
PAGES = {"playbook": runfolder.PLAYBOOK_HTML, "analysis export": f"{runfolder.NOTEBOOKS}/03_analysis.html"}


@pytest.fixture(scope="module")
def chromium():
    if not browser.chromium_available():
        pytest.fail("chromium and chromedriver are not installed: `make setup` installs them (as root, with apt-get).")
    driver = browser.driver()
    yield driver
    driver.quit()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_page_reads_well_at_width(chromium, questionnaire_run, page, width):
    seen = browser.inspect(chromium, questionnaire_run / PAGES[page], width)
    overflow = seen["overflow"]
    assert overflow["scroll"] <= overflow["width"] and not overflow["offenders"], overflow
    assert seen["charts"]["charts"] >= 3 and not seen["charts"]["bad"], seen["charts"]
    assert seen["overlaps"] == []
    assert seen["errors"] == []
    assert seen["remote"] == []


def test_the_checks_catch_what_they_look_for(chromium, tmp_path):
    """The inspection itself: a page that overflows, requests a remote file, logs an error and
    has an empty chart is reported on every count."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><body><table style="width:900px"><tr><td>wide</td></tr></table>'
                    '<figure><svg width="0" height="0"></svg></figure>'
                    '<img src="http://127.0.0.1:9/pixel.png">'
                    '<p style="position:absolute;top:0">label</p><p style="position:absolute;top:4px">value</p>'
                    '<script>console.error("broken")</script></body></html>')
    seen = browser.inspect(chromium, page, 400)
    assert seen["overflow"]["scroll"] > 400 and seen["overflow"]["offenders"]
    assert len(seen["charts"]["bad"]) == 2           # the empty svg and the image that never loaded
    assert any("broken" in e for e in seen["errors"])
    assert seen["remote"] == ["http://127.0.0.1:9/pixel.png"]
    assert "label / value" in seen["overlaps"]


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory):
    """The demo playbook with the cover's little-data caveat showing."""
    book = copy.deepcopy(playbooks.demo("Acme")[0])
    book["meta"]["confidence"]["caveat"] = "Few conversations: read the figures as a first indication."
    example = "@AcmeHelp my parcel was due on Monday and the tracking page has not moved since, can you check?"
    book["topics"]["table"] = table_block(topics.TABLE_COLUMNS, [
        {"label": label, "posts": 120, "complaint_share": 0.4, "negative_share": 0.3, "response_rate": 0.9,
         "first_response_s": 900, "owner": "Delivery team", "example": example} for label in ("Delivery", "Refunds")])
    if all(e["id"] != "topics" for e in book["toc"]):   # the demo has no topics: the chapter was left out
        book["toc"].insert(2, {"id": "topics", "number": 3, "title": "What customers write about"})
        for number, entry in enumerate(book["toc"], 1):
            entry["number"] = number
    return render.write_html(book, tmp_path_factory.mktemp("page") / "playbook.html")


def test_cover_caveat_is_readable(chromium, demo_page):
    browser.inspect(chromium, demo_page, 1400)
    seen = chromium.execute_script(browser.COLOURS_JS, ".caveat h4, .caveat p")
    assert len(seen) == 2
    for el in seen:
        assert browser.contrast(el["color"], el["background"]) >= 4.5, el


def test_charts_scale_with_their_box_on_a_phone(chromium, demo_page):
    browser.inspect(chromium, demo_page, 390)
    charts = chromium.execute_script(browser.CHART_FIT_JS)
    assert len(charts) >= 7
    for chart in charts:
        assert 0 < chart["drawn"] <= chart["box"] + 1 and chart["scroll"] <= chart["box"] + 1, chart


def test_topic_example_reads_across_the_table(chromium, demo_page):
    """A quoted example gets the table's width, not a narrow last column."""
    browser.inspect(chromium, demo_page, 1400)
    widths = chromium.execute_script(
        "const t = document.querySelector('#topics table');"
        "return Array.from(t.querySelectorAll('td')).filter(td => td.textContent.includes('tracking page'))"
        ".map(td => td.getBoundingClientRect().width / t.getBoundingClientRect().width);")
    assert widths and min(widths) > 0.9
