"""The playbook read as a client's document: every table fits the printed page."""
from __future__ import annotations

import re
import subprocess

import pytest

from audit.report import render
from tests.helpers import playbooks

A4_WIDTH_PT = 595.3
RIGHT_MARGIN_PT = 18 / 25.4 * 72          # @page margin in playbook.css
WORD = re.compile(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>')


@pytest.fixture(scope="module")
def strategic_pdf(tmp_path_factory):
    """The demo client whose playbook has the most columns (agents, tools, KPIs)."""
    html = render.render_html(playbooks.demo("Acme")[0])
    return render.write_pdf(html, tmp_path_factory.mktemp("pdf") / "playbook.pdf")


def words_past_margin(pdf) -> list[tuple[int, str]]:
    """(page, word) for each word poppler places right of the page's text area."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    limit = A4_WIDTH_PT - RIGHT_MARGIN_PT + 1      # 1 pt for glyph side bearings
    past, page = [], 0
    for line in out.splitlines():
        page += line.lstrip().startswith("<page ")
        match = WORD.search(line)
        if match and float(match.group(1)) > limit:
            past.append((page, match.group(2)))
    return past


def test_every_table_fits_the_page(strategic_pdf):
    assert words_past_margin(strategic_pdf) == []
