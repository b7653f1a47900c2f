"""Issue 26, the reading side: line endings, wide rows, Excel's scientific ids, handles with
invisible characters, placeholder timestamps. Small hand-made files, one fault each."""
from __future__ import annotations

from pathlib import Path

import pytest

from audit.common.errors import AuditInputError
from audit.reading.ingest import IngestResult, load

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
T0 = "Tue Oct 31 22:10:47 +0000 2017"
T1 = "Tue Oct 31 22:25:03 +0000 2017"


def line(tid: str, text: str = "hello there", *, author: str = "115712", inbound: str = "True",
         when: str = T0, responses: str = "", parent: str = "") -> str:
    return ",".join([tid, author, inbound, when, text, responses, parent])


def pair(n: int) -> list[str]:
    """A customer post and the brand's answer, ids ``n`` and ``n+1``."""
    return [line(str(n), "@AcmeHelp where is my order?", responses=str(n + 1)),
            line(str(n + 1), "@115712 Sorry! DM us please", author="AcmeHelp", inbound="False",
                 when=T1, parent=str(n))]


def write(tmp_path: Path, lines: list[str], end: str = "\n", name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((end.join([HEADER, *lines]) + end).encode("utf-8"))
    return path


def counted(result: IngestResult) -> tuple[int, int, int]:
    acc = result.accounting
    assert acc["input_rows"] == acc["accepted"] + acc["quarantined"]
    return acc["input_rows"], acc["accepted"], acc["quarantined"]


def reasons(result: IngestResult) -> dict[str, int]:
    return {k: v for k, v in result.accounting["by_reason"].items() if v}


# --------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize("when", ["0001-01-01 00:00:00", "9999-12-31T23:59:59Z", "Oct 31 22:10:47",
                                  "Tue Oct 31 22:10:47 +0000 0001", "1970-01-01T00:00:00Z"])
def test_placeholder_and_yearless_timestamps_are_bad_timestamps(tmp_path, when):
    result = load(write(tmp_path, [*pair(1), line("9", when=when)]))
    assert counted(result) == (3, 2, 1)
    assert reasons(result) == {"bad_timestamp": 1}
    assert when in result.quarantine["detail"].iloc[0]


# --------------------------------------------------------------------------- Excel's ids


@pytest.mark.parametrize("column", ["tweet_id", "in_response_to_tweet_id", "response_tweet_id"])
def test_scientific_ids_in_a_csv_are_refused_like_rounded_ids_in_a_workbook(tmp_path, column):
    lines = [line("9.18107E+17", parent="9.18107E+17" if column == "in_response_to_tweet_id" else "",
                  responses="\"918107000000000000,9.18107E+17\"" if column == "response_tweet_id" else "")
             if column == "tweet_id" else
             line("5", parent="9.18107E+17" if column == "in_response_to_tweet_id" else "",
                  responses="\"6,9.18107E+17\"" if column == "response_tweet_id" else ""),
             *pair(1)]
    with pytest.raises(AuditInputError) as info:
        load(write(tmp_path, lines))
    message = str(info.value)
    assert f"id column(s) '{column}'" in message and "9.18107E+17" in message
    assert "15 digits Excel keeps" in message  # the .xlsx wording


def test_scientific_text_outside_id_columns_is_kept(tmp_path):
    result = load(write(tmp_path, [*pair(1), line("9", "order 9.18107E+17 lost")]))
    assert counted(result) == (3, 3, 0)


# --------------------------------------------------------------------------- handles


def test_a_zero_width_space_does_not_split_the_brand(tmp_path):
    brand = dict(inbound="False", when=T1)
    lines = [line("1", "@AppleSupport help", responses="2"),
             line("2", "@115712 on it", author="AppleSupport\u200b", parent="1", **brand),
             line("3", "@AppleSupport again", responses="4"),
             line("4", "@115712 done", author="AppleSupport", parent="3", **brand),
             line("5", "@AppleSupport thanks", responses="6"),
             line("6", "@115712 welcome", author="\uff21pple\u2060Support", parent="5", **brand)]
    result = load(write(tmp_path, lines), brands=["@AppleSupport\ufeff"])
    assert counted(result) == (6, 6, 0)
    brands = result.messages.loc[~result.messages["is_customer"], "author"]
    assert set(brands) == {"AppleSupport"}
    assert result.accounting["flags"]["handles_normalised"] == 2


def test_clean_handles_leave_the_accounting_as_it_was(tmp_path):
    assert "handles_normalised" not in load(write(tmp_path, pair(1))).accounting["flags"]


# --------------------------------------------------------------------------- clock skew


def test_a_reply_stamped_before_its_parent_is_flagged_and_clamped(tmp_path):
    early = "Tue Oct 31 22:03:47 +0000 2017"  # 7 minutes before the post it answers
    lines = [*pair(1), line("3", "@AcmeHelp hello?", responses="4"),
             line("4", "@115712 hi!", author="AcmeHelp", inbound="False", when=early, parent="3")]
    result = load(write(tmp_path, lines))
    assert counted(result) == (4, 4, 0)
    assert result.accounting["flags"]["reply_before_parent"] == 1
    m = result.messages.set_index("message_id")["created_at"]
    assert m["4"] == m["3"] and m["2"] > m["1"]  # clamped; an ordinary reply keeps its time
    assert "reply_before_parent" not in load(write(tmp_path, pair(1), name="clean.csv")).accounting["flags"]


# --------------------------------------------------------------------------- line endings


def test_a_cr_only_file_is_read_row_by_row(tmp_path):
    """Excel's "CSV (Macintosh)": every line ends in a bare CR; a quoted CR stays in its text."""
    lines = [*pair(1), line("3", '"two\rlines, quoted"'), *pair(4)]
    result = load(write(tmp_path, lines, end="\r"))
    assert counted(result) == (5, 5, 0)
    assert result.messages.set_index("message_id").loc["3", "text"] == "two\rlines, quoted"


def test_mixed_line_endings_read_every_record(tmp_path):
    """LF, CRLF and bare CR in one file: a bare CR followed by a whole record ends a line; one
    inside an unquoted text (what follows is not a record) stays in the text."""
    rows = [*pair(1), *pair(3), line("5", "split\rhere"), *pair(6), *pair(8)]
    ends = ["\n", "\r\n", "\r", "\n", "\r", "\r\n", "\r", "\n", "\r"]
    path = tmp_path / "mixed.csv"
    path.write_bytes((HEADER + "\r\n" + "".join(r + e for r, e in zip(rows, ends))).encode())
    result = load(path)
    assert counted(result) == (9, 9, 0)
    assert result.messages.set_index("message_id").loc["5", "text"] == "split\rhere"


def test_an_unclosed_quote_in_a_cr_only_file_swallows_no_row(tmp_path):
    result = load(write(tmp_path, [*pair(1), line("3", '"never closed'), *pair(4)], end="\r"))
    assert counted(result) == (5, 4, 1)
    assert reasons(result) == {"malformed_row": 1}


def test_a_wide_first_data_row_is_quarantined_not_shifted(tmp_path):
    """An unquoted comma in the first data row: that row is quarantined with its raw text, and
    no other row's fields move (the reply link stays in its column)."""
    lines = [line("1", "hello, unquoted comma", responses="2"), *pair(3),
             line("2", "@115712 hi", author="AcmeHelp", inbound="False", when=T1, parent="1")]
    result = load(write(tmp_path, lines))
    assert counted(result) == (4, 3, 1)
    assert reasons(result) == {"malformed_row": 1}
    assert result.quarantine["source_row"].tolist() == [1]
    assert result.quarantine["tweet_id"].iloc[0].startswith("1,115712,True")
    m = result.messages.set_index("message_id")
    assert m.loc["4", "reply_to_id"] == "3" and m.loc["2", "reply_to_id"] == "1"
    assert m.loc["4", "author"] == "AcmeHelp" and m.loc["3", "text"] == "@AcmeHelp where is my order?"


# --------------------------------------------------------------------------- messages


def test_a_cover_page_names_the_sheet_that_has_the_columns(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    for row in (["Social care export"], ["Prepared for Acme"], ["Period", "Q4 2017"]):
        cover.append(row)
    data = book.create_sheet("Data")
    for row in [HEADER.split(","), *(r.split(",") for r in pair(1))]:
        data.append(row)
    path = tmp_path / "export.xlsx"
    book.save(path)
    with pytest.raises(AuditInputError) as info:
        load(path)
    assert "sheet 'Data'" in str(info.value) and "missing column" not in str(info.value)
