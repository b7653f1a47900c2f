"""The playbook read as a client's document: every table fits the printed page."""
from __future__ import annotations

import re
import subprocess
from html import unescape

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


#: names from the code and the run folder that mean nothing to a client: dotted field names,
#: file names, snake_case words, and run internals said in a developer's words
INTERNAL = re.compile(r"\b[a-z]+(?:\.[a-z_]+)+\b|\b[\w-]+\.(?:json|ya?ml|csv|parquet|py|ipynb)\b|"
                      r"\b[a-z]+(?:_[a-z0-9]+)+\b|kept, flagged|not evaluated|CC BY|non-commercial")


def client_text(book: dict) -> str:
    """The playbook's visible text, less the names that are the client's own: handles (some
    carry underscores), its public e-mail addresses (quoted in its own replies) and the export's
    file name."""
    html = render.render_html(book)
    body = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", html, flags=re.S)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
    text = re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", " ", text)  # e-mail addresses: the brand's own contact details
    source = [row["value"] for row in book["appendix"]["accounting"]["rows"] if row["item"] == "Source file"]
    own = set(source) | set(re.findall(r"@\w+", text))
    own |= {handle for handle in re.findall(r"\b\w+\b", text) if "@" + handle in own}
    for name in sorted(own - {""}, key=len, reverse=True):
        text = text.replace(name, " ")
    return text


@pytest.mark.parametrize("client", list(playbooks.CLIENTS))
def test_no_internal_names_in_the_client_document(client):
    book = playbooks.demo(client)[0]
    found = sorted(set(INTERNAL.findall(client_text(book))) - {"i.e", "e.g"})
    assert found == []
