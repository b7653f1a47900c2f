"""When most of the file was rejected, the cover and the command's summary line say so."""
from __future__ import annotations

from audit.reading.quarantine import quarantine_warning
from audit.report.render import render_html
from tests.helpers.playbooks import demo


def test_the_warning_starts_past_half_the_file():
    assert quarantine_warning({"input_rows": 100, "quarantined": 50}) == ""
    assert quarantine_warning({"input_rows": 0, "quarantined": 0}) == ""
    text = quarantine_warning({"input_rows": 1000, "quarantined": 910})
    assert text.startswith("910 of the file's 1,000 rows (91%) were rejected") and "other 90" in text


def test_the_cover_carries_it():
    book = demo("Acme")[0]
    assert not book["meta"]["quarantine_warning"]
    mostly_rejected = {**book, "meta": {**book["meta"], "quarantine_warning": quarantine_warning(
        {"input_rows": 1000, "quarantined": 910})}}
    html = render_html(mostly_rejected)
    cover = html[: html.index('id="contents"')] if 'id="contents"' in html else html[:20000]
    assert "910 of the file" in cover
