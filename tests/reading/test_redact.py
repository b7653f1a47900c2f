"""Personal data in customer text is masked; brand handles and ordinary text survive."""
from __future__ import annotations

import pandas as pd
import pytest

from audit.reading.redact import pseudonym, redact_authors, redact_frame, redact_series, redact_text

BRANDS = ["AcmeHelp", "@Acme"]


@pytest.mark.parametrize("raw,expected", [
    ("@AcmeHelp order 12345678 is late", "@AcmeHelp order [number] is late"),
    ("ping @jane_doe and @Bob99", "ping @[customer] and @[customer]"),
    ("mail me at jane.doe+x@example.co.uk", "mail me at [email]"),
    ("call +44 20 7946 0958 now", "call [phone] now"),
    ("or (555) 123-4567.", "or [phone]."),
    ("acct 0012345 ok", "acct [number] ok"),
])
def test_masks_personal_data(raw, expected):
    assert redact_text(raw, keep_handles=BRANDS) == expected


def test_keeps_brand_handles_case_insensitively_and_ordinary_text():
    text = "@acmehelp @ACME thanks! Paid $1,299.00 at 10:30 on 2024-01-15, code 12345 😀 日本語"
    assert redact_text(text, keep_handles=BRANDS) == text


def test_without_keep_list_every_handle_is_masked():
    assert redact_text("@AcmeHelp hi") == "@[customer] hi"


def test_missing_values_pass_through():
    assert redact_text(None) is None


def test_series_matches_scalar_and_keeps_missing():
    texts = pd.Series(["@AcmeHelp call 555-123-4567", None, "x@y.com @someone 9876543"],
                      dtype="string", index=[10, 11, 12])
    out = redact_series(texts, keep_handles=BRANDS)
    assert list(out.index) == [10, 11, 12]
    assert out.isna().tolist() == [False, True, False]
    assert out[10] == redact_text(texts[10], BRANDS) == "@AcmeHelp call [phone]"
    assert out[12] == "[email] @[customer] [number]"


def test_author_pseudonyms_are_stable_and_salted():
    authors = pd.Series(["AcmeHelp", "115712", "115712", "sprintcare_fan"], dtype="string")
    out = redact_authors(authors, ["acmehelp"], salt="run1")
    assert out[0] == "AcmeHelp"
    assert out[1] == out[2] == pseudonym("115712", "run1") != pseudonym("115712", "run2")
    assert "115712" not in set(out) and out[3].startswith("customer-")


def test_redact_frame_masks_text_and_ids_but_not_figures():
    frame = pd.DataFrame({"author": ["115712", "AcmeHelp"], "text": ["my no 07700900123", "@115712 ok"],
                          "n": [3, 4]})
    out = redact_frame(frame, ["AcmeHelp"])
    assert out["text"].tolist() == ["my no [number]", "@[customer] ok"]
    assert out["author"][1] == "AcmeHelp" and out["author"][0] != "115712"
    assert out["n"].tolist() == [3, 4]
    assert frame["author"][0] == "115712"  # the input is not modified


def test_agent_tokens_become_stable_pseudonyms_in_the_column_and_the_signoff():
    from audit.reading.redact import agent_pseudonym, redact_frame

    frame = pd.DataFrame({
        "author": ["Acme", "Acme", "Other", "123"],
        "text": ["AB will fix it, sorry! ^AB 1/2", "Sorted -Jo https://t.co/x", "On it ^AB", "@Acme thanks AB"],
        "agent": pd.array(["AB", "Jo", "AB", None], dtype="string"),
    })
    out = redact_frame(frame, ["Acme", "Other"])
    ab, jo, other_ab = (agent_pseudonym("Acme", "AB"), agent_pseudonym("Acme", "Jo"), agent_pseudonym("Other", "AB"))
    assert out["agent"].tolist()[:3] == [ab, jo, other_ab] and pd.isna(out["agent"].iloc[3])
    assert len({ab, jo, other_ab}) == 3 and ab == agent_pseudonym("Acme", "AB")  # per handle, stable
    assert out["text"].tolist()[:3] == [f"AB will fix it, sorry! ^{ab} 1/2", f"Sorted -{jo} https://t.co/x", f"On it ^{other_ab}"]
    assert out["text"].iloc[3] == "@Acme thanks AB"  # customer posts carry no agent


# replies shaped like the brands' in the public TWCS export: a customer's first name in the greeting
@pytest.mark.parametrize("raw,expected", [
    ("@197482 Hey Georgia! So sorry about the wait.", "@[customer] Hey [name]! So sorry about the wait."),
    ("@402128 Hi Sam, ensure to have 3-4 hours connecting time.", "@[customer] Hi [name], ensure to have 3-4 hours connecting time."),
    ("@117532 Thanks, Priya. We'll look into it ^JT", "@[customer] Thanks, [name]. We'll look into it ^JT"),
    ("@197482 Hey, Brandon, we recommend uberXL.", "@[customer] Hey, [name], we recommend uberXL."),
    ("@AcmeHelp hello Jo-Anne: still waiting", "@AcmeHelp hello [name]: still waiting"),
])
def test_masks_first_names_in_greetings(raw, expected):
    assert redact_text(raw, keep_handles=BRANDS) == expected
    assert redact_series(pd.Series([raw]), keep_handles=BRANDS)[0] == expected


@pytest.mark.parametrize("text", [
    "Hi there, sorry to hear that. Thanks Again!",
    "Hi Acme, my order is late.",                   # the brand itself, not a customer
    "Hi, please call 844.401.8500 Option 2 to file a claim.",
    "Please give us a call at 1-800-379-6453 (8a-5p PT, M-F) to assist you further.",
    "We'd advise contacting our team on 08000 158 123 &amp; they should be able to assist",
    "dial 0800 028 0202 free from a landline, or mail support@acme.com",
])
def test_keeps_greetings_without_a_name_and_public_support_contacts(text):
    assert redact_text(text, keep_handles=BRANDS) == text
