"""Bad input, one table: every case either fails with a clear message or accounts for every row.

Then a property test (any mix of good and broken rows keeps ``input == accepted + quarantined``
with the right reason per row) and a million-row load.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from audit.common.errors import AuditInputError
from audit.common.realdata import real_dir
from audit.conversations.threads import build
from audit.reading.ingest import IngestResult, load
from audit.reading.mapping import parse_mapping
from audit.reading.schema import TEXT_LIMIT, Reason

TWCS = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
        "in_response_to_tweet_id"]
NORMALISED = ["message_id", "reply_to_id", "author", "is_customer", "created_at", "text"]
T0 = "Tue Oct 31 22:10:47 +0000 2017"
T1 = "Tue Oct 31 22:25:03 +0000 2017"


def table(rows: list[list[str]], header: list[str] = TWCS, sep: str = ",") -> str:
    """CSV text quoted the way real exporters do (newlines and quotes inside quoted fields).

    CRLF line ends as in RFC 4180: only then does csv quote a field holding a bare ``\r``.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def tweet(tid: str, text: str, *, author: str = "115712", inbound: str = "True",
          when: str = T0, responses: str = "", parent: str = "") -> list[str]:
    return [tid, author, inbound, when, text, responses, parent]


def post(mid: str, when: str, text: str = "@AcmeHelp is the outage fixed yet?", *,
         parent: str = "", author: str = "leeds_lee", customer: str = "true") -> list[str]:
    return [mid, parent, author, customer, when, text]


GOOD = [
    tweet("1", "@AcmeHelp my order never arrived 😡 https://t.co/Qx1", responses="2"),
    tweet("2", "@115712 Sorry! Could you DM us the order number?", author="AcmeHelp",
          inbound="False", when=T1, parent="1.0"),
]


def good_with(text: str) -> str:
    return table([tweet("1", text, responses="2"), GOOD[1]])


@dataclass
class Case:
    id: str
    content: str | bytes
    suffix: str = ".csv"
    mapping: dict | None = None
    error: tuple[str, ...] = ()
    accepted: int | None = None
    quarantined: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    encoding: str | None = None
    check: Callable[[IngestResult], None] | None = None


def text_of(tid: str, expected: str) -> Callable[[IngestResult], None]:
    def check(result: IngestResult) -> None:
        assert result.messages.set_index("message_id").loc[tid, "text"] == expected
    return check


def column_is(column: str, expected: list) -> Callable[[IngestResult], None]:
    def check(result: IngestResult) -> None:
        assert result.messages[column].tolist() == expected
    return check


def times_are(*expected: str) -> Callable[[IngestResult], None]:
    def check(result: IngestResult) -> None:
        assert result.messages["created_at"].tolist() == [pd.Timestamp(e) for e in expected]
    return check


def kept_first(result: IngestResult) -> None:
    assert result.messages.set_index("message_id").loc["1", "text"].startswith("@AcmeHelp my order")
    assert "First seen on row 1." in result.quarantine["detail"].iloc[0]


def cycle_broken_once(result: IngestResult) -> None:
    messages, conversations = build(result.messages)
    assert conversations["conversation_id"].tolist() == ["7"]  # the earliest post of the loop
    assert messages.set_index("message_id")["cycle_broken"].to_dict() == {"7": True, "8": False, "9": False}


def malformed_row_is_kept_in_place(result: IngestResult) -> None:
    q = result.quarantine
    assert q["source_row"].tolist() == [2]
    assert q["tweet_id"].iloc[0].startswith("5,115712,True")  # the raw line, for the analyst
    assert result.messages["source_row"].tolist() == [1, 3]


def raw_lines(*lines: str) -> str:
    """A file written by hand, line by line (LF), for structures no CSV writer produces."""
    return "\n".join([",".join(TWCS), *lines]) + "\n"


def good_line(tid: str, text: str = "hello") -> str:
    return f"{tid},c{tid},True,{T0},{text},,"


BIG_ID = 925478349827784705  # a real Twitter id: above 2**53, a float cannot hold it
NORMAL_RECORDS = [
    {"message_id": BIG_ID, "reply_to_id": None, "author": "jane", "is_customer": True,
     "created_at": "2017-10-31T22:10:47Z", "text": "@AcmeHelp where is my parcel?"},
    {"message_id": BIG_ID + 2, "reply_to_id": BIG_ID, "author": "AcmeHelp", "is_customer": False,
     "created_at": "2017-10-31T22:20:47Z", "text": "Sorry Jane, DM us the order number"},
]


def json_lines(*items: object) -> str:
    return "\n".join(i if isinstance(i, str) else json.dumps(i) for i in items) + "\n"


def parquet_bytes(table: "pa.Table") -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def typed_parquet() -> bytes:
    """int64 ids with a null, typed UTC timestamps, a bool customer flag (as tools write them)."""
    return parquet_bytes(pa.table({
        "message_id": pa.array([BIG_ID, BIG_ID + 2], pa.int64()),
        "reply_to_id": pa.array([None, BIG_ID], pa.int64()),
        "author": ["jane", "AcmeHelp"], "is_customer": [True, False],
        "created_at": pa.array([datetime(2017, 10, 31, 22, 10, 47), datetime(2017, 10, 31, 22, 20, 47)],
                               pa.timestamp("us", tz="UTC")),
        "text": ["@AcmeHelp where is my parcel?", "Sorry Jane, DM us the order number"],
    }))


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def zipped(name: str, data: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(name, data)
    return buf.getvalue()


def ids_exact_and_linked(result: IngestResult) -> None:
    m = result.messages.set_index("message_id")
    assert list(m.index) == [str(BIG_ID), str(BIG_ID + 2)]
    assert m.loc[str(BIG_ID + 2), "reply_to_id"] == str(BIG_ID)
    assert not m["reply_to_unknown"].any()


def fallback_noted(result: IngestResult) -> None:
    acc = result.accounting
    assert "single-byte code page cp1252" in acc["encoding_note"]
    assert 0 <= acc["mojibake_share"] <= 1


def stray_byte_replaced_and_noted(result: IngestResult) -> None:
    text_of("1", "très déçu, ça ne va pas")(result)
    text_of("3", "caf\ufffd froid")(result)
    assert result.accounting["encoding_note"].endswith("1 invalid byte sequence(s) replaced by U+FFFD")


def rows_after_the_broken_quote_are_read(result: IngestResult) -> None:
    assert result.messages["message_id"].tolist() == ["1", "3", "4", "5"]
    assert result.quarantine["source_row"].tolist() == [2]
    assert result.quarantine["tweet_id"].iloc[0].startswith('2,c2,True')


SAME_INSTANT = "2024-05-06T08:00:00Z"
CASES = [
    # ---- whole-file problems: one clear error
    Case("empty file", b"", error=("is empty",)),
    Case("blank lines only", "\n\n\n", error=("is empty",)),
    Case("header only", table([]), error=("has a header", "no data rows")),
    Case("wrong delimiter", table(GOOD, sep=";"), error=("only one column", "delimiter: ';'")),
    Case("required column missing", table([r[:2] + r[3:] for r in GOOD], TWCS[:2] + TWCS[3:]),
         error=("missing column(s) inbound", "Columns found: tweet_id, author_id, created_at",
                "--mapping")),
    Case("columns missing for the given mapping", table(GOOD), mapping={"preset": "twcs", "text": "body"},
         error=("missing column(s) body", "Columns found")),
    Case("duplicated header", table([r + ["x"] for r in GOOD], TWCS + ["text"]),
         error=("duplicated column names 'text' (columns 5 and 8)",)),
    Case("unsupported file type", table(GOOD), suffix=".txt", error=("unsupported file type '.txt'",)),
    Case("jsonl with no object at all", '[1, 2]\n{"id": 2,\n', suffix=".jsonl",
         error=("no line is a JSON object",)),
    Case("day-first and month-first dates mixed",
         table([post("1", "25/04/2024 10:00"), post("2", "04/25/2024 10:00")], NORMALISED),
         error=("mix day-first and month-first",)),
    # ---- encodings: decoded, and the one used is recorded
    Case("latin-1 bytes", good_with("Commande annulée, très déçu").encode("latin-1"),
         accepted=2, encoding="cp1252", check=text_of("1", "Commande annulée, très déçu")),
    Case("byte undefined in cp1252", good_with("caf\xe9 \x81ok").encode("latin-1"),
         accepted=2, encoding="latin-1", flags={"control_chars_stripped": 1},
         check=text_of("1", "café ok")),
    Case("utf-16 LE with BOM", table(GOOD).encode("utf-16"), accepted=2, encoding="utf-16-le",
         check=text_of("1", "@AcmeHelp my order never arrived 😡 https://t.co/Qx1")),
    Case("utf-16 BE with BOM", codecs.BOM_UTF16_BE + table(GOOD).encode("utf-16-be"),
         accepted=2, encoding="utf-16-be"),
    Case("utf-8 with BOM", "\ufeff" + table(GOOD), accepted=2, encoding="utf-8-sig"),
    # ---- timestamps
    Case("unparseable timestamps",
         table([GOOD[0], tweet("3", "hello?", when="yesterday around 5pm"),
                tweet("4", "hello??", when="2017-02-30T10:00:00Z")]),
         accepted=1, quarantined={"bad_timestamp": 2}),
    Case("ambiguous day/month with no evidence in the file",
         table([post("1", "03/04/2024 10:00"), post("2", "05/06/2024 11:00"),
                post("3", "07/07/2024 12:00")], NORMALISED),
         accepted=1, quarantined={"ambiguous_timestamp": 2}, check=times_are("2024-07-07T12:00Z")),
    Case("day/month order settled by a day above 12",
         table([post("1", "03/04/2024 10:00"), post("2", "25/04/2024 10:00")], NORMALISED),
         accepted=2, check=times_are("2024-04-03T10:00Z", "2024-04-25T10:00Z")),
    Case("local times repeated or skipped by daylight saving",
         table([post("1", "2024-10-27 01:30:00"), post("2", "2024-03-31 01:30:00"),
                post("3", "2024-06-01 12:00:00")], NORMALISED),
         mapping={"preset": "normalised", "timezone": "Europe/London"},
         accepted=1, quarantined={"ambiguous_timestamp": 2},
         flags={"naive_timestamps_localised": 1}, check=times_are("2024-06-01T11:00Z")),
    Case("mixed time zones",
         table([post("1", "2024-05-06T10:00:00+02:00"), post("2", "2024-05-06T03:00:00-05:00"),
                post("3", SAME_INSTANT), post("4", "Mon May 06 08:00:00 +0000 2024"),
                post("5", "2024-05-06 08:00:00"), post("6", "1714982400"),
                post("7", "2024-05-06T09:00:00+0100")], NORMALISED),
         accepted=7, flags={"converted_to_utc": 3, "naive_timestamps_localised": 1},
         check=times_are(*[SAME_INSTANT] * 7)),
    # ---- ids and links
    Case("id reused with different content",
         table([GOOD[0], tweet("1", "@AcmeHelp different words, same id"), GOOD[1]]),
         accepted=2, quarantined={"duplicate_id": 1}, check=kept_first),
    Case("exact duplicate rows", table([GOOD[0], GOOD[0], GOOD[1], GOOD[1]]),
         accepted=2, quarantined={"duplicate_row": 2}),
    Case("reply to an id not in the file", table([*GOOD, tweet("3", "@AcmeHelp and?", parent="999.0")]),
         accepted=3, flags={"reply_to_unknown": 1}, check=column_is("reply_to_unknown", [False, False, True])),
    Case("reply cycle",
         table([tweet("8", "@AcmeHelp b", parent="7", when=T1),
                tweet("7", "@AcmeHelp a", parent="9"),
                tweet("9", "@AcmeHelp c", parent="8", when="Tue Oct 31 23:00:00 +0000 2017")]),
         accepted=3, check=cycle_broken_once),
    Case("missing id and author",
         table([GOOD[0], tweet("", "@AcmeHelp no id"), tweet("5", "@AcmeHelp no author", author=" ")]),
         accepted=1, quarantined={"missing_id": 1, "missing_author": 1}),
    Case("customer flag not true/false", table([GOOD[0], tweet("5", "@AcmeHelp hi", inbound="maybe")]),
         accepted=1, quarantined={"bad_customer_flag": 1}),
    Case("row with more fields than the header",
         table([GOOD[0]]) + "5,115712,True," + T0 + ",unquoted, commas, everywhere,,\r\n"
         + table([GOOD[1]]).split("\r\n", 1)[1],
         accepted=2, quarantined={"malformed_row": 1}, check=malformed_row_is_kept_in_place),
    # ---- texts
    Case("empty text", good_with(""), accepted=1, quarantined={"empty_text": 1}),
    Case("whitespace-only text",
         table([tweet("1", "   \t  "), tweet("2", "\u3000\u200b \n"), GOOD[1]]),
         accepted=1, quarantined={"empty_text": 2}),
    Case("control characters only", good_with("\x07\x1b\x08"), accepted=1, quarantined={"empty_text": 1}),
    Case("100k characters", good_with("ha" * 50_000), accepted=2, flags={"text_truncated": 1},
         check=text_of("1", "ha" * (TEXT_LIMIT // 2))),
    Case("only emoji", good_with("😡😡😡🔥👎🏽"), accepted=2, check=text_of("1", "😡😡😡🔥👎🏽")),
    Case("right-to-left scripts",
         table([tweet("1", "@AcmeHelp طلبي لم يصل بعد، أرجو المساعدة 🙏"),
                tweet("3", "\u200fההזמנה שלי לא הגיעה @AcmeHelp")]),
         accepted=2, check=column_is("text", [
             "@AcmeHelp طلبي لم يصل بعد، أرجو المساعدة 🙏", "\u200fההזמנה שלי לא הגיעה @AcmeHelp"])),
    Case("control characters inside text", good_with("bell\x07 and esc\x1b[31m red &lt;3"),
         accepted=2, flags={"control_chars_stripped": 1, "html_entities_decoded": 1},
         check=text_of("1", "bell and esc[31m red <3")),
    # ---- row structure: only LF/CRLF end a line; a broken quote never swallows rows
    Case("bare CR inside a quoted field (pandas export)",
         raw_lines(good_line("1"), f'2,c2,True,{T0},"line one\rline two",,'), accepted=2,
         check=text_of("2", "line one\rline two")),
    Case("bare CR inside an unquoted field",
         raw_lines(good_line("1"), good_line("2", "split\rhere"), good_line("3")), accepted=3,
         check=text_of("2", "split\rhere")),
    Case("CRLF file with a multi-line text counts one row per record",
         table([tweet("1", "first line\r\nsecond, line"), GOOD[1]]), accepted=2,
         check=text_of("1", "first line\nsecond, line")),
    Case("unterminated quote mid-file",
         raw_lines(good_line("1"), f'2,c2,True,{T0},"never closed, oops,,', good_line("3"),
                   good_line("4"), f'5,c5,True,{T0},"quoted, fine",,'),
         accepted=4, quarantined={"malformed_row": 1}, check=rows_after_the_broken_quote_are_read),
    Case("unterminated quote on the last line",
         raw_lines(good_line("1"), f'2,c2,True,{T0},"never closed'),
         accepted=1, quarantined={"malformed_row": 1}),
    Case("quote inside an unquoted field is a character",
         raw_lines(good_line("1", 'he said "hi'), good_line("2")), accepted=2,
         check=text_of("1", 'he said "hi')),
    Case("blank lines between records are not rows",
         raw_lines(good_line("1"), "", "   ", good_line("2")), accepted=2),
    # ---- more encodings
    Case("utf-16 LE without BOM", table(GOOD).encode("utf-16-le"), accepted=2, encoding="utf-16-le"),
    Case("utf-16 BE without BOM", table(GOOD).encode("utf-16-be"), accepted=2, encoding="utf-16-be"),
    Case("utf-32 LE without BOM", table(GOOD).encode("utf-32-le"), accepted=2, encoding="utf-32-le"),
    Case("utf-32 BE without BOM", table(GOOD).encode("utf-32-be"), accepted=2, encoding="utf-32-be"),
    Case("utf-32 with BOM", table(GOOD).encode("utf-32"), accepted=2, encoding="utf-32-le"),
    Case("Shift-JIS is not read as Latin-1",
         good_with("注文が届きません。返金してください").encode("shift_jis"), accepted=2,
         encoding="cp932", check=text_of("1", "注文が届きません。返金してください")),
    Case("single-byte fallback is reported with a mojibake share",
         good_with("Commande annulée, très déçu").encode("cp1252"), accepted=2, check=fallback_noted),
    Case("UTF-8 with one stray Latin-1 byte keeps UTF-8 and says so",
         table([tweet("1", "très déçu, ça ne va pas", responses="2"), GOOD[1]]).encode() + b"3,c3,True,"
         + T0.encode() + b",caf\xe9 froid,,\r\n", accepted=3, encoding="utf-8",
         check=stray_byte_replaced_and_noted),
    # ---- not a text export
    Case("gzip file named .csv", gzip.compress(table(GOOD).encode()),
         error=("not a text export", "gzip", "decompress")),
    Case("zip archive named .csv", zipped("export.csv", table(GOOD)), error=("not a text export", "zip")),
    Case("PDF named .json", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", suffix=".json",
         error=("not a text export", "PDF")),
    Case("random binary named .csv", bytes(range(256)) * 40, error=("not a text export",)),
    Case("zip renamed .xlsx", zipped("export.csv", table(GOOD)), suffix=".xlsx",
         error=("not an Excel workbook",)),
    Case("CSV renamed .xlsx", table(GOOD), suffix=".xlsx", error=("not an Excel workbook", ".csv")),
    Case("CSV renamed .parquet", table(GOOD), suffix=".parquet", error=("not a Parquet file",)),
    # ---- JSON / JSONL: ids as text, bad lines quarantined, depth bounded
    Case("64-bit ids and a null reply in JSON", json.dumps(NORMAL_RECORDS), suffix=".json",
         accepted=2, check=ids_exact_and_linked),
    Case("64-bit ids and a null reply in JSONL", json_lines(*NORMAL_RECORDS), suffix=".jsonl",
         accepted=2, check=ids_exact_and_linked),
    Case("one bad JSONL line is quarantined, not the file",
         json_lines(NORMAL_RECORDS[0], '{"message_id": 7, "text": "cut off', "[1, 2]",
                    NORMAL_RECORDS[1]), suffix=".jsonl",
         accepted=2, quarantined={"malformed_row": 2}, check=ids_exact_and_linked),
    Case("JSONL line nested 100,000 deep is quarantined",
         json_lines(*NORMAL_RECORDS, '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"), suffix=".jsonl",
         accepted=2, quarantined={"malformed_row": 1}),
    Case("JSON nested 100,000 deep", "[" * 100_000 + "]" * 100_000, suffix=".json",
         error=("nested too deeply",)),
    Case("JSON array with a non-object element", json.dumps([NORMAL_RECORDS[0], 5, NORMAL_RECORDS[1]]),
         suffix=".json", accepted=2, quarantined={"malformed_row": 1}),
    # ---- Parquet and Excel types
    Case("typed Parquet: int64 ids with nulls, UTC timestamps", typed_parquet(), suffix=".parquet",
         accepted=2, check=ids_exact_and_linked),
    Case("Excel ids stored as text stay exact",
         workbook({"Data": [list(NORMAL_RECORDS[0]), *[[str(v) if k.endswith("id") and v else v
                                                         for k, v in r.items()] for r in NORMAL_RECORDS]]}),
         suffix=".xlsx", accepted=2, check=ids_exact_and_linked),
    Case("Excel 18-digit ids stored as numbers are refused, not merged",
         workbook({"Data": [list(NORMAL_RECORDS[0]), *[[float(v) if k.endswith("id") and v else v
                                                         for k, v in r.items()] for r in NORMAL_RECORDS]]}),
         suffix=".xlsx", error=("15 digits", "message_id", "as Text")),
    Case("Excel data on another sheet names the sheets",
         workbook({"Cover": [["Export of Q4"]], "Messages": [list(NORMAL_RECORDS[0]),
                                                            *[list(r.values()) for r in NORMAL_RECORDS]]}),
         suffix=".xlsx", error=("sheet 'Cover' has no data rows", "'Messages' (2 data rows)", "sheet:")),
    # ---- timestamps in another layout than promised
    Case("ISO times in a TWCS-layout file",
         table([tweet("1", "hello?", when="2017-10-31T22:10:47Z", responses="2"),
                tweet("2", "hi!", author="AcmeHelp", inbound="False", when="2017-10-31 22:20:47",
                      parent="1")]),
         accepted=2, flags={"naive_timestamps_localised": 1},
         check=times_are("2017-10-31T22:10:47Z", "2017-10-31T22:20:47Z")),
    # ---- nothing usable: stop at ingest with the main reason and an example
    Case("every row unusable",
         table([tweet("1", "hi", when="yesterday"), tweet("2", "hello", when="last week"),
                tweet("", "no id")]),
         error=("none of its 3 rows is usable", "Main reason: bad_timestamp (2 rows)",
                "created_at = 'yesterday'")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"export{case.suffix}"
    data = case.content.encode("utf-8") if isinstance(case.content, str) else case.content
    path.write_bytes(data)
    mapping = parse_mapping(case.mapping) if case.mapping else None
    if case.error:
        with pytest.raises(AuditInputError) as info:
            load(path, mapping=mapping)
        for fragment in case.error:
            assert fragment in str(info.value)
        return
    result = load(path, mapping=mapping)
    acc = result.accounting
    assert acc["accepted"] == case.accepted
    assert {k: v for k, v in acc["by_reason"].items() if v} == case.quarantined
    assert acc["input_rows"] == acc["accepted"] + acc["quarantined"]
    assert {k: acc["flags"][k] for k in case.flags} == case.flags
    if case.encoding:
        assert acc["encoding"] == case.encoding
    assert result.quarantine["reason"].notna().all() and (result.quarantine["detail"].str.len() > 10).all()
    if case.check:
        case.check(result)


# --------------------------------------------------------------------------- property

BREAKS = {
    "missing_id": lambda r: r.__setitem__(0, ""),
    "missing_author": lambda r: r.__setitem__(1, ""),
    "bad_customer_flag": lambda r: r.__setitem__(2, "perhaps"),
    "bad_timestamp": lambda r: r.__setitem__(3, "31/31/2017 25:61"),
    "empty_text": lambda r: r.__setitem__(4, ""),
    "blank_text": lambda r: r.__setitem__(4, " \t\u00a0\n"),
    "control_text": lambda r: r.__setitem__(4, "\x01\x02\x7f"),
}
OKAY_ODDITIES = {
    "unknown_parent": lambda r: r.__setitem__(6, "x404"),
    "huge_text": lambda r: r.__setitem__(4, "€" * (TEXT_LIMIT + 5)),
    "float_parent": lambda r: r.__setitem__(6, "0.0"),
}
texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
row_plans = st.lists(
    st.tuples(
        st.sampled_from(["good"] * 3 + list(BREAKS) + list(OKAY_ODDITIES) + ["copy", "same_id"]),
        texts,
        st.integers(min_value=0, max_value=1_000),
    ),
    min_size=1, max_size=25,
)


def expected_reasons(rows: list[list[str]], row_level: list[str | None]) -> list[str | None]:
    """Reference model of the duplicate rules: first valid copy wins, exact copies first."""
    seen_rows: set[tuple[str, ...]] = set()
    kept_ids: set[str] = set()
    out = []
    for row, reason in zip(rows, row_level):
        if reason is None:
            key = tuple(row)
            if key in seen_rows:
                reason = Reason.DUPLICATE_ROW.value
            elif row[0] in kept_ids:
                reason = Reason.DUPLICATE_ID.value
            seen_rows.add(key)
            if reason is None:
                kept_ids.add(row[0])
        out.append(reason)
    return out


@settings(max_examples=40, deadline=None)
@given(plan=row_plans)
def test_every_row_is_accounted_for(plan, tmp_path_factory):
    rows: list[list[str]] = []
    row_level: list[str | None] = []
    for i, (kind, text, pick) in enumerate(plan):
        if kind in ("copy", "same_id") and rows:
            row = list(rows[pick % len(rows)])
            if kind == "same_id":
                row[4] = f"{row[4]} (edited {i})"
        else:
            row = tweet(str(i), f"@AcmeHelp {text}", author="AcmeHelp" if pick % 2 else f"c{pick}",
                        inbound="False" if pick % 2 else "True",
                        when=f"Tue Oct 31 {pick % 24:02d}:10:47 +0000 2017")
            BREAKS.get(kind, OKAY_ODDITIES.get(kind, lambda r: None))(row)
        rows.append(row)
        row_level.append(_row_level(row))
    path = tmp_path_factory.mktemp("prop") / "export.csv"
    path.write_text(table(rows), encoding="utf-8")

    reasons = expected_reasons(rows, row_level)
    result = load_accounted(path, len(rows), usable=not all(reasons))
    if result is None:
        return
    acc = result.accounting
    assert sum(acc["by_reason"].values()) == acc["quarantined"]
    q = result.quarantine
    assert q["reason"].isin([r.value for r in Reason]).all()
    assert (q["detail"].str.len() > 10).all()
    sources = sorted(result.messages["source_row"].tolist() + q["source_row"].tolist())
    assert sources == list(range(1, len(rows) + 1))
    got = dict(zip(q["source_row"], q["reason"]))
    assert [got.get(i + 1) for i in range(len(rows))] == reasons


def load_accounted(path, rows: int, usable: bool) -> IngestResult | None:
    """Load ``path`` and check that every one of its ``rows`` is accounted for; with no usable
    row, check instead that ingest stops with the main reason (and return None)."""
    if not usable:
        with pytest.raises(AuditInputError, match="none of its .* rows is usable"):
            load(path)
        return None
    result = load(path)
    acc = result.accounting
    assert acc["input_rows"] == rows == acc["accepted"] + acc["quarantined"]
    return result


def _row_level(row: list[str]) -> str | None:
    """Row-level reason of a generated row, in the documented priority order."""
    text = row[4]
    blank = not text.strip() or not "".join(ch for ch in text if ch.isprintable() and not ch.isspace()
                                            and ch not in "\u200b\u200c\u200d\u2060\ufeff")
    for reason, bad in (
        (Reason.MISSING_ID, not row[0].strip()),
        (Reason.MISSING_AUTHOR, not row[1].strip()),
        (Reason.BAD_CUSTOMER_FLAG, row[2] not in ("True", "False")),
        (Reason.BAD_TIMESTAMP, not row[3].startswith("Tue Oct 31")),
        (Reason.EMPTY_TEXT, blank),
    ):
        if bad:
            return reason.value
    return None


# --------------------------------------------------------------------------- reader properties

# Texts as exports carry them: quotes, delimiters, CR, LF, CRLF, tabs, non-ASCII. At most two
# commas: a continuation line of a quoted text that is itself a complete 7-field record cannot
# be told from a row swallowed by a broken quote, and is read as a row (documented in the README).
field_texts = st.text(st.sampled_from(list('ab xyz,"\r\n\té€😡')), min_size=1, max_size=30).filter(
    lambda t: t.count(",") <= 2 and any(ch.isalpha() for ch in t))


@settings(max_examples=60, deadline=None)
@given(plan=st.lists(st.tuples(st.booleans(), field_texts), min_size=1, max_size=15),
       crlf=st.booleans())
@example(plan=[(True, "a\r\r\n")], crlf=False)  # a CR before a CRLF stays a bare CR
def test_reader_never_drops_a_row(plan, crlf, tmp_path_factory):
    """Well-formed rows (written as pandas/Excel write them, bare CRs unquoted) are read whole
    and unchanged; a row whose quote never closes is quarantined as malformed_row; every row a
    user counts is in ``input_rows = accepted + quarantined``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(TWCS)
    expected, broken = {}, []
    for i, (ok, text) in enumerate(plan, start=1):
        body = f"@AcmeHelp {text}"
        if ok:
            writer.writerow(tweet(str(i), body))
            expected[str(i)] = body.replace("\r\n", "\n") if crlf or "\r\n" in body else body
        else:  # an exporter that forgot to close the quote; the text has no quote or line break
            clean = "".join(ch for ch in body if ch not in '"\r\n')
            buf.write(f'{i},115712,True,{T0},"{clean},,' + ("\r\n" if crlf else "\n"))
            broken.append(i)
    path = tmp_path_factory.mktemp("reader") / "export.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    result = load_accounted(path, len(plan), usable=bool(expected))
    if result is None:
        return
    texts = result.messages.set_index("message_id")["text"].to_dict()
    assert texts == expected  # CRLF read as one line break, once: "a\r\r\n" is "a\r\n"
    assert result.quarantine["reason"].tolist() == ["malformed_row"] * len(broken)
    assert result.quarantine["source_row"].tolist() == broken


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3), max_leaves=5)


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(st.one_of(
    st.builds(lambda n, t: json.dumps({"message_id": 10**18 + n, "reply_to_id": None, "author": "jo",
                                       "is_customer": True, "created_at": SAME_INSTANT, "text": t}),
              st.integers(0, 10**6), st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                                             min_size=1, max_size=10)),
    st.builds(json.dumps, json_values),                     # valid JSON, not an object
    st.text(st.sampled_from(list('{}[]":,ab1 ')), min_size=1, max_size=12),  # not JSON at all
), min_size=1, max_size=12))
def test_jsonl_reader_quarantines_every_unreadable_line(lines, tmp_path_factory):
    path = tmp_path_factory.mktemp("jsonl") / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    objects = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if line.strip():
            objects.append(isinstance(value, dict))
    try:
        result = load(path)
    except AuditInputError as exc:  # no object at all, or none usable: said, never silent
        assert not any(objects) or "usable" in str(exc) or "missing column" in str(exc)
        return
    acc = result.accounting
    assert acc["input_rows"] == len(objects) == acc["accepted"] + acc["quarantined"]
    assert acc["by_reason"]["malformed_row"] == objects.count(False)


# --------------------------------------------------------------------------- scale


@pytest.mark.slow
def test_one_million_rows_load(tmp_path):
    """Every row of a 1M-row export is read and accounted for (speed is measured in benchmarks/, not here)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    n = 1_000_000
    ids = np.arange(1, n + 1)
    customer = ids % 2 == 1
    minutes = pd.Series(pd.date_range("2017-10-31", periods=1440, freq="min", tz="UTC"))
    stamps = minutes.dt.strftime("%a %b %d %H:%M:%S +0000 %Y").to_numpy(dtype=object)[ids % 1440]
    columns = {
        "tweet_id": ids.astype(str),
        "author_id": np.where(customer, (ids % 5000).astype(str), "AcmeHelp"),
        "inbound": np.where(customer, "True", "False"),
        "created_at": stamps,
        "text": np.where(customer, "@AcmeHelp where is my order &gt;:(", "@1 sorry, DM us"),
        "response_tweet_id": np.where(customer, (ids + 1).astype(str), ""),
        "in_response_to_tweet_id": np.where(customer, "", np.char.add((ids - 1).astype(str), ".0")),
    }
    path = tmp_path / "big.csv"
    pacsv.write_csv(pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()}), path)
    del columns
    result = load(path)
    acc = result.accounting
    assert (acc["input_rows"], acc["accepted"], acc["quarantined"]) == (n, n, 0)
    assert acc["flags"]["ids_normalised"] == n // 2
    assert result.messages["reply_to_id"].iloc[1] == "1"
    assert result.messages["text"].iloc[0] == "@AcmeHelp where is my order >:("
    assert result.messages["created_at"].iloc[59] == pd.Timestamp("2017-10-31T01:00:00Z")


# --------------------------------------------------------------------------- parameters

TINY = table(GOOD)
PARAMETER_CASES = [
    # (id, extra CLI arguments, fragment of the one-line message)
    ("batch size 0", ["--batch-size", "0"], "--batch-size 0: must be a whole number of at least 1"),
    ("negative batch size", ["--batch-size", "-4"], "--batch-size -4"),
    ("unknown device", ["--device", "gpu"], "--device gpu: use auto, cpu, cuda"),
    ("CUDA device that is not there", ["--device", "cuda:99"], "--device cuda:99:"),
    ("int8 on a GPU", ["--device", "cuda", "--quantize"], "--quantize is int8 on the CPU"),
    ("unknown engine", ["--engine", "spark"], "--engine spark: use one of local, dask"),
    ("unknown time zone", ["--timezone", "Mars/Olympus_Mons"], "Unknown time zone 'Mars/Olympus_Mons'"),
    ("unreadable --since", ["--since", "2017-13-45"], "Cannot read the date '2017-13-45'"),
    ("unreadable --until", ["--until", "next tuesday"], "Cannot read the date 'next tuesday'"),
    ("--since after --until", ["--since", "2017-12-01", "--until", "2017-10-01"],
     "--since 2017-12-01 is after --until 2017-10-01"),
    ("missing rubric", ["--rubric", "{tmp}/nope.yaml"], "--rubric {tmp}/nope.yaml: no such file"),
    ("rubric that is not YAML of a rubric", ["--rubric", "{file}"], "rubric file"),
    ("missing questionnaire", ["--questionnaire", "{tmp}/nope.yaml"], "no such file"),
    ("questionnaire is a folder", ["--questionnaire", "{tmp}"], "a folder, not a file"),
    ("missing mapping", ["--mapping", "{tmp}/nope.yaml"], "mapping '{tmp}/nope.yaml' not found"),
    ("model path that does not exist", ["--model", "{tmp}/no-model"], "no such model directory"),
    ("model folder without a model", ["--model", "{tmp}"], "not a model directory"),
    ("model id not in the local cache", ["--model", "nobody/no-such-model-xyz"], "not a Hugging Face model in the local cache"),
    ("output folder is a file", ["--out", "{file}"], "--out {file}: is a file"),
    ("output folder cannot be made", ["--out", "{file}/sub"], "cannot write there"),
    ("data file missing", ["--data", "{tmp}/nope.csv"], "--data {tmp}/nope.csv: no such file"),
    ("data is a folder", ["--data", "{tmp}"], "a folder, not a file"),
    ("data is a gzip archive", ["--data", "{gz}"], "not a text export: it is a gzip archive"),
    ("data is a zip renamed .xlsx", ["--data", "{xlsx}"], "not an Excel workbook (.xlsx): it is a zip archive holding export.csv"),
]


@pytest.mark.parametrize("extra,message", [c[1:] for c in PARAMETER_CASES], ids=[c[0] for c in PARAMETER_CASES])
def test_bad_parameters_fail_before_any_stage(extra, message, tmp_path, capsys):
    from audit.run.cli import main

    data = tmp_path / "export.csv"
    data.write_text(TINY, encoding="utf-8")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder, not a rubric: [", encoding="utf-8")
    (tmp_path / "export.csv.gz").write_bytes(gzip.compress(TINY.encode()))
    (tmp_path / "export.xlsx").write_bytes(zipped("export.csv", TINY))
    (tmp_path / "export.csv.gz").rename(tmp_path / "gz.csv")
    fill = {"tmp": str(tmp_path), "file": str(a_file), "gz": str(tmp_path / "gz.csv"),
            "xlsx": str(tmp_path / "export.xlsx")}
    extra = [e.format(**fill) for e in extra]
    code = main(["run", "--data", str(data), "--client", "Acme", "--out", str(tmp_path / "out"), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert message.format(**fill) in err and "Traceback" not in err
    assert not list(tmp_path.glob("out/*/*.parquet"))  # nothing ingested, nothing scored


def test_batch_checks_every_client_before_the_first_runs(tmp_path, capsys):
    from audit.run.cli import main

    data = tmp_path / "export.csv"
    data.write_text(TINY, encoding="utf-8")
    cases = {
        "clients: []\n": "`clients` is empty",
        f"data: {data}\nclients:\n  - name: Acme Bank\n  - name: ACME-BANK!\n": "would share the run folder",
        f"data: {data}\nclients:\n  - name: Good\n  - name: Late\n    timezone: Nowhere/City\n":
            "client 'Late': Unknown time zone",
        f"data: {data}\nclients:\n  - name: Good\n  - name: Late\n    since: 2017-13-45\n":
            "client 'Late': Cannot read the date '2017-13-45'",
        f"data: {data}\nclients:\n  - name: Good\n  - name: Late\n    since: 2017-12-01\n    until: 2017-10-01\n":
            "client 'Late': --since 2017-12-01 is after --until 2017-10-01",
    }
    for spec, message in cases.items():
        clients = tmp_path / "clients.yaml"
        clients.write_text(spec, encoding="utf-8")
        code = main(["batch", str(clients), "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert code == 2 and message in err and "Traceback" not in err, spec
        assert not list(tmp_path.glob("out/*.log")), "a client started before the checks"


def test_clients_whose_names_slugify_alike_never_share_a_folder(tmp_path, capsys):
    from audit.common import runfolder
    from audit.run.cli import main
    from audit.run.config import RunConfig

    first = RunConfig(data="x", client="Acme Bank", out=str(tmp_path))
    first.run_dir().mkdir(parents=True)
    runfolder.claim(first.run_dir(), "Acme Bank")
    data = tmp_path / "export.csv"
    data.write_text(TINY, encoding="utf-8")
    code = main(["run", "--data", str(data), "--client", "ACME-BANK!", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "already holds the audit of client 'Acme Bank'" in err
    assert list(first.run_dir().iterdir()) == [first.run_dir() / runfolder.CLIENT_MARKER]
    RunConfig(data=str(data), client="Acme Bank", out=str(tmp_path)).check()  # its owner may re-run


def test_sentiment_command_takes_a_one_column_file_and_checks_its_output(tmp_path, capsys):
    from audit.reading.tables import read_table
    from audit.run.cli import main

    texts = tmp_path / "texts.csv"
    texts.write_text("text\nwhere is my refund?\nthanks, sorted!\n", encoding="utf-8")
    assert read_table(texts)["text"].tolist() == ["where is my refund?", "thanks, sorted!"]
    code = main(["sentiment", "--data", str(texts), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "is a folder" in err and "Traceback" not in err


# --------------------------------------------------------------------------- faults


def test_publish_is_all_old_or_all_new_whatever_step_is_killed(tmp_path, monkeypatch):
    """Kill the publish of playbook/PDF/audit.json at every rename it makes, then recover as
    the next run does: the three files always come from one run."""
    from audit.common import safeio
    names = ("playbook.html", "playbook.pdf", "audit.json")
    real_replace = os.replace
    calls = 0

    def counting(src, dst):
        nonlocal calls
        calls += 1
        return real_replace(src, dst)

    monkeypatch.setattr(safeio.os, "replace", counting)
    probe = tmp_path / "probe"
    probe.mkdir()
    safeio.publish(probe, {n: b"new" for n in names})
    steps = calls
    assert steps >= 2 * len(names) + 1  # stage each, commit the journal, rename each

    for kill_at in range(1, steps + 1):
        folder = tmp_path / f"kill-{kill_at}"
        folder.mkdir()
        for n in names:
            (folder / n).write_bytes(b"old")
        calls = 0

        def dying(src, dst, _at=kill_at):
            nonlocal calls
            calls += 1
            if calls == _at:
                raise KeyboardInterrupt("killed")  # a BaseException, like SIGINT mid-write
            return real_replace(src, dst)

        monkeypatch.setattr(safeio.os, "replace", dying)
        with pytest.raises(KeyboardInterrupt):
            safeio.publish(folder, {n: b"new" for n in names})
        monkeypatch.setattr(safeio.os, "replace", real_replace)
        safeio.recover_publish(folder)
        contents = {(folder / n).read_bytes() for n in names}
        assert contents in ({b"old"}, {b"new"}), (kill_at, contents)
        assert sorted(p.name for p in folder.iterdir()) == sorted(names)  # no staged leftovers


def test_publish_without_a_pdf_removes_the_previous_one(tmp_path):
    from audit.common import safeio
    for n in ("playbook.html", "playbook.pdf"):
        (tmp_path / n).write_bytes(b"old")
    safeio.publish(tmp_path, {"playbook.html": b"new", "playbook.pdf": None})
    assert (tmp_path / "playbook.html").read_bytes() == b"new"
    assert not (tmp_path / "playbook.pdf").exists()


def _cache_writer(path: str, seed: int) -> None:
    from audit.textmodel.cache import ScoreCache, text_keys

    rng = np.random.default_rng(seed)
    with ScoreCache(path) as cache:
        for i in range(25):
            keys = text_keys([f"{seed}-{i}-{j}" for j in range(40)] + [f"shared {j}" for j in range(10)])
            cache.get("model@1", keys)
            cache.put("model@1", keys, rng.random((len(keys), 3)))


def test_concurrent_audits_share_one_score_cache(tmp_path):
    """Several processes reading and writing one cache at once (``batch --jobs``, two runs):
    every one finishes and every score is stored (before: 'database is locked')."""
    import multiprocessing

    from audit.textmodel.cache import ScoreCache

    path = str(tmp_path / "sentiment.sqlite")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_cache_writer, args=(path, seed)) for seed in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    with ScoreCache(path) as cache:
        assert cache._db.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == 3 * 25 * 40 + 10


REAL = real_dir()


def _fake_scores(run_dir: Path) -> None:
    """Deterministic stand-ins for the models' output: the stages after scoring only need the
    files' shape, and this test is about threads and the playbook, not about the models."""
    from audit.common import runfolder
    messages = pd.read_parquet(run_dir / runfolder.MESSAGES)
    n = len(messages)
    neg = (messages["text"].str.len() % 3 == 0).to_numpy()
    pos = (messages["text"].str.len() % 3 == 1).to_numpy()
    probs = np.where(neg[:, None], [0.8, 0.15, 0.05], np.where(pos[:, None], [0.05, 0.15, 0.8], [0.1, 0.8, 0.1]))
    runfolder.write_parquet(pd.DataFrame({
        "message_id": messages["message_id"], "sentiment": np.where(neg, "negative", np.where(pos, "positive", "neutral")),
        "sentiment_score": probs[:, 2] - probs[:, 0], "p_negative": probs[:, 0], "p_neutral": probs[:, 1],
        "p_positive": probs[:, 2]}), run_dir / runfolder.SCORES)
    customer = messages[messages["is_customer"]]
    runfolder.write_parquet(pd.DataFrame({
        "message_id": customer["message_id"].to_numpy(),
        "intent": np.where(customer["text"].str.contains("?", regex=False), "question", "complaint"),
        "intent_confidence": 0.7}), run_dir / runfolder.INTENTS)
    runfolder.write_json({"model": "test-stand-in", "model_identity": "none", "engine": "local",
                      "cache": {"hit_rate": 0.0}, "sentiment_mix": {}, "intent_mix": {}},
                     run_dir / runfolder.SCORE_SUMMARY)
    assert n


@pytest.mark.parametrize("data,brand", [
    (str(REAL / "twcs_random5000.csv"), "VirginTrains"),  # its conversations start with its own replies
    ("synthetic", "AcmeHelp"),
])
def test_brand_opening_with_its_own_reply_to_a_missing_post_gets_a_playbook(data, brand, tmp_path):
    from audit.common import runfolder
    from audit.run import stages
    if data == "synthetic":  # every conversation of the brand starts with a reply to a post not exported
        rows = [tweet(str(10 + i), f"@c{i} sorry about that, DM us", author="AcmeHelp", inbound="False",
                      parent=str(900 + i), when=f"Tue Oct 31 {10 + i:02d}:10:47 +0000 2017") for i in range(6)]
        rows += [tweet(str(30 + i), "@AcmeHelp done, thanks?", author=f"c{i}", parent=str(10 + i),
                       when=f"Tue Oct 31 {10 + i:02d}:40:47 +0000 2017") for i in range(6)]
        path = tmp_path / "export.csv"
        path.write_text(table(rows), encoding="utf-8")
        data = str(path)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    stages.ingest(run_dir, data, brands=[brand])
    _fake_scores(run_dir)
    stages.analyse(run_dir)
    result = stages.playbook(run_dir, client=brand, pdf=False)
    audit = runfolder.read_json(run_dir / runfolder.AUDIT_JSON)
    assert result["level"] == audit["maturity"]["level"]
    assert (run_dir / runfolder.PLAYBOOK_HTML).read_text(encoding="utf-8").count(brand) >= 1


def test_a_multi_line_text_in_the_first_column_stays_one_record():
    """Its last line read alone has every field, but its closing quote sits mid-field, which a
    writer never produces: it closes the text above (a real twitteR export does this)."""
    from audit.reading.records import read

    text = ('text,favorited,id\r\n"Thanks for the photo!\r\nHope you love it ^OG.",FALSE,1\r\n'
            '"fine",FALSE,2\r\nplain,TRUE,3\r\n')
    records = read(text, ",", "MALFORMED:")
    assert not records.malformed.any()
    assert records.frame["text"].tolist() == ["Thanks for the photo!\nHope you love it ^OG.", "fine", "plain"]
