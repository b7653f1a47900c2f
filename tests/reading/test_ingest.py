"""Ingest on real-shaped exports: the TWCS layout and mapped non-TWCS exports in every format."""
from __future__ import annotations

import pandas as pd
import pytest

from audit.common.errors import AuditInputError
from audit.reading.ingest import load
from audit.reading.mapping import PRESETS, VALID_KEYS, detect_mapping, load_mapping, parse_mapping
from audit.reading.schema import MESSAGE_COLUMNS, REASON_SENTENCES, Reason, empty_messages, validate_messages
from audit.reading.tables import read_table
from tests.helpers.paths import FIXTURES as _FIXTURES_ROOT

FIXTURES = _FIXTURES_ROOT / "ingest"
UTC = "UTC"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert(UTC) if pd.Timestamp(text).tzinfo else pd.Timestamp(text, tz=UTC)


def by_id(result) -> pd.DataFrame:
    return result.messages.set_index("message_id")


# --------------------------------------------------------------------------- TWCS


@pytest.fixture(scope="module")
def twcs():
    return load(FIXTURES / "twcs_sample.csv")


def test_twcs_is_detected_and_every_row_accepted(twcs):
    acc = twcs.accounting
    assert (acc["mapping"], acc["format"], acc["encoding"]) == ("twcs", "csv", "utf-8")
    assert (acc["input_rows"], acc["accepted"], acc["quarantined"]) == (11, 11, 0)
    assert list(twcs.messages.columns) == list(MESSAGE_COLUMNS)
    validate_messages(twcs.messages)


def test_twcs_float_parent_ids_match_integer_ids(twcs):
    m = by_id(twcs)
    assert m.loc["6", "reply_to_id"] == "8"  # written 8.0 in the file
    assert m.loc["21", "reply_to_id"] == "20"
    assert pd.isna(m.loc["8", "reply_to_id"])
    assert not m["reply_to_unknown"].any()
    assert twcs.accounting["flags"]["ids_normalised"] == 7


def test_twcs_multi_id_responses_recover_a_missing_parent_link(twcs):
    # Tweet 9 has no in_response_to_tweet_id, but tweet 8 lists it in "9,6,10".
    assert by_id(twcs).loc["9", "reply_to_id"] == "8"
    assert twcs.accounting["flags"]["reply_to_recovered"] == 1


def test_twcs_offsets_are_converted_to_utc(twcs):
    m = by_id(twcs)
    assert m.loc["8", "created_at"] == ts("2017-10-31T21:45:10Z")
    assert m.loc["20", "created_at"] == ts("2017-11-01T08:00:00Z")  # written +0100
    assert str(m["created_at"].dtype) == "datetime64[ns, UTC]"
    assert twcs.accounting["flags"]["converted_to_utc"] == 1


def test_twcs_text_keeps_emoji_quotes_newlines_and_decodes_entities(twcs):
    m = by_id(twcs)
    assert m.loc["8", "text"].endswith("customer service 😡")
    assert m.loc["3", "text"] == (
        "@sprintcare I have sent several private messages & no one is responding as usual\n"
        "still waiting >:("
    )
    assert 'click "Message" at the top' in m.loc["4", "text"]
    assert m.loc["1", "text"].endswith("https://t.co/Xk3fQ2wZ9a")
    assert twcs.accounting["flags"]["html_entities_decoded"] == 1


def test_twcs_customers_and_brands_come_from_inbound(twcs):
    m = by_id(twcs)
    assert m.loc[["8", "5", "22"], "is_customer"].tolist() == [True, True, True]
    assert m.loc[["6", "9", "20"], "is_customer"].tolist() == [False, False, False]
    assert m["channel"].unique().tolist() == ["twitter"]
    assert m["source_row"].tolist() == list(range(1, 12))


def test_explicit_twcs_preset_gives_the_same_messages(twcs):
    again = load(FIXTURES / "twcs_sample.csv", mapping="twcs")
    pd.testing.assert_frame_equal(again.messages, twcs.messages)


def test_brands_argument_overrides_the_customer_flag():
    # A brand's second handle posting with inbound=True (e.g. a colleague's account) is still brand.
    result = load(FIXTURES / "twcs_sample.csv", brands=["@115800"])
    assert not by_id(result).loc["22", "is_customer"]
    assert by_id(result).loc["8", "is_customer"]


# --------------------------------------------------------------------------- mapped exports


@pytest.fixture(scope="module")
def facebook():
    return load(FIXTURES / "facebook_page.csv", mapping="facebook_page", brands=["Northwind Energy"])


def test_facebook_mapping_localises_day_first_times(facebook):
    m = by_id(facebook)
    assert m.loc["1029_1", "created_at"] == ts("2024-03-04T18:02:00Z")  # GMT in March
    assert m.loc["2044_1", "created_at"] == ts("2024-07-15T09:00:00Z")  # BST in July
    assert facebook.accounting["flags"]["naive_timestamps_localised"] == 7
    assert facebook.accounting["timezone"] == "Europe/London"


def test_facebook_mapping_uses_brand_handles_and_constant_channel(facebook):
    m = by_id(facebook)
    assert m.loc[m["author"] == "Northwind Energy", "is_customer"].tolist() == [False, False]
    assert int(m["is_customer"].sum()) == 5
    assert m.loc["1029_2", "reply_to_id"] == "1029_1"
    assert pd.isna(m.loc["1029_4", "reply_to_id"])
    assert m.loc["1029_4", "text"] == 'Anyone else\'s smart meter showing "--" since Sunday?\nTried the reset, nothing.'
    assert m.loc["1029_5", "text"].startswith("Switch to the green tariff > best decision & cheaper")
    assert set(m["channel"]) == {"facebook"}


def test_mapping_without_a_customer_rule_needs_brands():
    with pytest.raises(AuditInputError, match="brand_handles"):
        load(FIXTURES / "facebook_page.csv", mapping="facebook_page")


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx", ".tsv"])
def test_same_export_in_other_formats_gives_identical_messages(facebook, tmp_path, suffix):
    table = read_table(FIXTURES / "facebook_page.csv")
    path = tmp_path / f"facebook{suffix}"
    if suffix == ".parquet":
        table.to_parquet(path)
    elif suffix == ".xlsx":
        table.to_excel(path, index=False)
    else:
        table.to_csv(path, sep="\t", index=False)
    result = load(path, mapping="facebook_page", brands=["Northwind Energy"])
    assert result.accounting["format"] == {".parquet": "parquet", ".xlsx": "excel", ".tsv": "tsv"}[suffix]
    pd.testing.assert_frame_equal(result.messages, facebook.messages)


@pytest.mark.parametrize("name", ["helpdesk.json", "helpdesk.jsonl"])
def test_helpdesk_json_mapping(name):
    result = load(FIXTURES / name, mapping="helpdesk_json")
    m = by_id(result)
    assert result.accounting["format"] == name.rsplit(".", 1)[1]
    assert m.index.tolist() == ["101", "102", "103", "201", "202"]
    # 102 has no in_reply_to: it answers the previous message of ticket T-1 (101, sent earlier).
    assert m.loc["102", "reply_to_id"] == "101"
    assert m.loc["103", "reply_to_id"] == "102"  # was the number 102 in JSON
    assert pd.isna(m.loc["201", "reply_to_id"])
    assert result.accounting["flags"]["reply_to_from_conversation"] == 1
    assert m["is_customer"].tolist() == [True, False, True, True, False]
    assert m.loc["201", "created_at"] == ts("2024-03-05T17:00:00Z")  # written -05:00
    assert m["channel"].tolist() == ["instagram"] * 3 + ["email"] * 2
    assert "on its way — no need" in m.loc["102", "text"]  # &mdash; decoded
    assert m.loc["201", "text"] == 'Where is my refund?\nIt\'s been 3 weeks. "Processing" my foot.'
    assert result.accounting["flags"]["converted_to_utc"] == 3


def test_read_table_returns_the_raw_strings():
    table = read_table(FIXTURES / "twcs_sample.csv")
    assert table.attrs == {"format": "csv", "encoding": "utf-8"}
    assert table.loc[0, "in_response_to_tweet_id"] == ""  # as in the file: nothing is reinterpreted
    assert table.loc[1, "in_response_to_tweet_id"] == "8.0"
    assert table.loc[0, "response_tweet_id"] == "9,6,10"


# --------------------------------------------------------------------------- mappings


def test_unknown_mapping_key_lists_the_valid_keys():
    with pytest.raises(AuditInputError) as info:
        parse_mapping({"preset": "twcs", "txet": "body"})
    message = str(info.value)
    assert "unknown key 'txet'" in message
    assert all(key in message for key in VALID_KEYS)


def test_missing_mapping_fields_are_named():
    with pytest.raises(AuditInputError, match="missing required key 'created_at'.*missing required key 'text'"):
        parse_mapping({"message_id": "id", "author": "user"})


@pytest.mark.parametrize("data, fragment", [
    ({"preset": "twitter"}, "unknown preset 'twitter'"),
    (["message_id"], "YAML dictionary"),
    ({"preset": "twcs", "timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"preset": "twcs", "delimiter": ";;"}, "single character"),
    ({"message_id": "i", "author": "a", "created_at": "t", "text": "x",
      "customer_flag": "f", "brand_handles": ["Acme"]}, "not both"),
])
def test_invalid_mappings_fail_clearly(data, fragment):
    with pytest.raises(AuditInputError, match=fragment):
        parse_mapping(data)


def test_mapping_yaml_file_with_preset_override(tmp_path):
    path = tmp_path / "semicolon.yaml"
    path.write_text("preset: twcs\ndelimiter: ';'\nbrand_handles: ['@SprintCare']\n", encoding="utf-8")
    mapping = load_mapping(path)
    assert (mapping.delimiter, mapping.customer_flag, mapping.brand_handles) == (";", None, ("sprintcare",))
    export = tmp_path / "export.csv"
    export.write_text(read_table(FIXTURES / "twcs_sample.csv").to_csv(sep=";", index=False), encoding="utf-8")
    result = load(export, mapping=path)
    m = by_id(result)
    assert result.accounting["accepted"] == 11
    assert not m.loc["6", "is_customer"]  # sprintcare matches @SprintCare, case ignored
    assert m.loc["20", "is_customer"]  # AppleSupport is not a listed brand handle here


def test_mapping_not_found_lists_what_exists():
    with pytest.raises(AuditInputError, match="facebook_page"):
        load_mapping("no_such_mapping")


def test_bundled_mappings_and_detection():
    assert load_mapping("helpdesk_json").records_path == "export.messages"
    assert detect_mapping(["tweet_id", "author_id", "inbound", "created_at", "text",
                           "response_tweet_id", "in_response_to_tweet_id", "extra"]) is PRESETS["twcs"]
    assert detect_mapping(["id", "text"]) is None


# --------------------------------------------------------------------------- schema


def test_every_reason_has_a_sentence():
    assert set(REASON_SENTENCES) == set(Reason)
    assert all(s.endswith(".") and len(s) > 15 for s in REASON_SENTENCES.values())


def test_validate_messages_rejects_broken_frames(twcs):
    validate_messages(empty_messages())
    broken = twcs.messages.copy()
    broken.loc[1, "message_id"] = broken.loc[0, "message_id"]
    with pytest.raises(ValueError, match="not unique"):
        validate_messages(broken)
    with pytest.raises(ValueError, match="is_customer has dtype"):
        validate_messages(twcs.messages.astype({"is_customer": "object"}))
    with pytest.raises(ValueError, match="missing columns \\['text'\\]"):
        validate_messages(twcs.messages.drop(columns="text"))


def test_jsonl_with_lists_booleans_and_nulls(tmp_path):
    """TWCS-shaped JSON Lines: id lists, real booleans, null parents and float ids all normalise."""
    lines = [
        '{"tweet_id": 8, "author_id": "115712", "inbound": true, "created_at": "Tue Oct 31 21:45:10 +0000 2017", '
        '"text": "@sprintcare worst service \\ud83d\\ude21", "response_tweet_id": [9, 6], "in_response_to_tweet_id": null}',
        '{"tweet_id": 9, "author_id": "sprintcare", "inbound": false, "created_at": "Tue Oct 31 21:47:02 +0000 2017", '
        '"text": "@115712 Sorry! DM us?", "response_tweet_id": [], "in_response_to_tweet_id": null}',
        '{"tweet_id": 6, "author_id": "sprintcare", "inbound": false, "created_at": "Tue Oct 31 21:46:24 +0000 2017", '
        '"text": "@115712 Which plan are you on?", "response_tweet_id": [], "in_response_to_tweet_id": 8.0}',
    ]
    path = tmp_path / "twcs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(path)
    m = by_id(result)
    assert result.accounting["mapping"] == "twcs"
    assert m["reply_to_id"].fillna("-").to_dict() == {"8": "-", "9": "8", "6": "8"}
    assert m["is_customer"].tolist() == [True, False, False]
    assert m.loc["8", "text"] == "@sprintcare worst service 😡"
    assert result.accounting["flags"]["reply_to_recovered"] == 1
