"""Mask personal data in customer text before it leaves the audit.

Why: example replies quoted in the playbook come from real conversations, and a report is
forwarded far beyond the people who may see customers' handles, e-mail addresses, phone numbers
or order numbers. The playbook always masks its quotes; ``--redact`` masks every output. Only
text changes: counts and figures are computed before masking and stay identical.

Order matters: e-mail addresses first (they contain ``@``), then phone numbers (before bare digit
runs, so ``+44 20 7946 0958`` becomes one ``[phone]``), then handles, then long digit runs, then a
first name in a greeting ("Hey Georgia!" -> "Hey [name]!"). A brand's public support lines
(toll-free and service numbers) and role addresses (``support@``) are not personal and stay.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import pandas as pd

from audit.common.handles import handle_key

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
NUMBER_MASK = "[number]"
HANDLE_MASK = "@[customer]"
NAME_MASK = "[name]"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number: optional +country, digits in groups split by spaces, dots, dashes or brackets;
# 7-15 digits in all (checked in _phone), so prices and times do not match.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{5,}\d(?![\w])")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HANDLE = re.compile(r"(?<![\w@])@(\w{1,30})")
DIGITS = re.compile(r"\d{6,}")
# a role mailbox, not a person's: support@, help@, customercare@ ...
ROLE_EMAIL = re.compile(r"(?i)(?:customer[._-]?)?(?:support|help|care|service|info|contact|feedback|"
                        r"hello|press|privacy|enquiries|team)@")
# numbers a business publishes: North American toll-free (1-)8xx, UK 080x/03xx, 1300/1800 lines
PUBLIC_LINE = re.compile(r"(?:1?8(?:00|33|44|55|66|77|88)\d{7}|(?:44|0)(?:80[08]|3\d\d)\d{6,7}|1[38]00\d{6})")
# a capitalised word between a greeting and punctuation: the customer's (or agent's) first name
GREETING = re.compile(r"\b(?P<greet>(?i:hi|hey|hello|hiya|dear|morning|good (?:morning|afternoon|evening)|"
                      r"thanks|thank you|cheers))(?P<sep>,?[ \t]+)(?P<name>[A-Z][a-z\'\u2019]{1,20}(?:-[A-Z]?[a-z]{1,20})?)"
                      r"(?=[ \t]*(?:[!,.:;?]|$))", re.M)
NOT_NAMES = frozenset({"there", "all", "team", "everyone", "again", "guys", "folks", "both", "you",
                       "friend", "sir", "madam", "so", "customer", "support"})


def _email(match: re.Match) -> str:
    return match.group(0) if ROLE_EMAIL.match(match.group(0)) else EMAIL_MASK


def _phone(match: re.Match) -> str:
    text = match.group(0)
    digits = "".join(c for c in text if c.isdigit())
    if not 7 <= len(digits) <= 15 or ISO_DATE.fullmatch(text.strip()) or text.isdigit():
        return text  # a bare digit run is an order or account number: masked as [number] later
    return text if PUBLIC_LINE.fullmatch(digits) else PHONE_MASK


def _normalise_handles(handles: Iterable[str] | None) -> frozenset[str]:
    return frozenset(handle_key(h) for h in (handles or ()) if h)


def _handle_replacer(keep: frozenset[str]):
    def replace(match: re.Match) -> str:
        return match.group(0) if match.group(1).casefold() in keep else HANDLE_MASK
    return replace


def _name_replacer(keep: frozenset[str]):
    """A greeting's name, unless it is a word like "there" or the brand's own ("Hi Acme" for
    @AcmeHelp: a brand handle starts with it)."""
    def replace(match: re.Match) -> str:
        name = match.group("name").casefold()
        if name in NOT_NAMES or any(k.startswith(name) for k in keep):
            return match.group(0)
        return f"{match.group('greet')}{match.group('sep')}{NAME_MASK}"
    return replace


def redact_text(text: str | None, keep_handles: Iterable[str] | None = None, names: bool = True) -> str | None:
    """Mask e-mails, phones, non-brand @handles, 6+ digit runs and (``names``) greeted names."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return text
    keep = _normalise_handles(keep_handles)
    text = EMAIL.sub(_email, text)
    text = PHONE.sub(_phone, text)
    text = HANDLE.sub(_handle_replacer(keep), text)
    text = DIGITS.sub(NUMBER_MASK, text)
    return GREETING.sub(_name_replacer(keep), text) if names else text


def redact_series(texts: pd.Series, keep_handles: Iterable[str] | None = None, names: bool = True) -> pd.Series:
    """The same masking over a whole column with pandas' vectorised regex replace (missing stay
    missing, index and dtype kept)."""
    keep = _normalise_handles(keep_handles)
    out = texts.str.replace(EMAIL, _email, regex=True)
    out = out.str.replace(PHONE, _phone, regex=True)
    out = out.str.replace(HANDLE, _handle_replacer(keep), regex=True)
    out = out.str.replace(DIGITS, NUMBER_MASK, regex=True)
    return out.str.replace(GREETING, _name_replacer(keep), regex=True) if names else out


def pseudonym(author: str, salt: str = "") -> str:
    """A stable stand-in for a customer id: the same customer keeps the same label across files,
    and the label cannot be read back without the salt."""
    digest = hashlib.sha256(f"{salt}\x00{author}".encode()).hexdigest()[:10]
    return f"customer-{digest}"


def redact_authors(authors: pd.Series, brands: Iterable[str], salt: str = "") -> pd.Series:
    """Replace every non-brand author with its pseudonym; brand accounts stay readable."""
    keep = _normalise_handles(brands)
    uniques = pd.Series(authors.dropna().unique())
    mapping = {a: a if handle_key(a) in keep else pseudonym(str(a), salt)
               for a in uniques}
    return authors.map(mapping).astype(authors.dtype)


def agent_pseudonym(handle: str, token: str, salt: str = "") -> str:
    """A stable stand-in for an agent's sign-off token: the same agent of the same handle keeps
    the same label across runs, so scorecards stay comparable without naming anyone. Shaped like a
    first name (``Agentkqdmfp``: letters only, capitalised), so a masked sign-off still reads as a
    sign-off and every figure of a redacted run equals the plain run's."""
    digest = hashlib.sha256(f"{salt}\x00{handle_key(handle)}\x00{token}".encode()).hexdigest()[:6]
    return "Agent" + "".join(chr(ord("a") + int(c, 16)) for c in digest)


def redact_agents(frame: pd.DataFrame, salt: str = "", agent_column: str = "agent",
                  handle_column: str = "author", text_column: str = "text") -> pd.DataFrame:
    """Agent tokens (the ``agent`` column ``audit.conversations.voice`` fills from sign-offs) become pseudonyms,
    in that column and in the sign-off itself (the token's last whole-word occurrence in the text)."""
    if agent_column not in frame.columns or not frame[agent_column].notna().any():
        return frame
    out = frame.copy()
    signed = out.loc[out[agent_column].notna(), [handle_column, agent_column]].astype("string")
    for (handle, token), rows in signed.groupby([handle_column, agent_column]).groups.items():
        alias = agent_pseudonym(handle, token, salt)
        out.loc[rows, agent_column] = alias
        if text_column in out.columns:
            word = rf"(?<!\w){re.escape(token)}(?!\w)"
            out.loc[rows, text_column] = out.loc[rows, text_column].str.replace(
                rf"{word}(?!.*{word})", alias, regex=True, flags=re.DOTALL)
    return out


def redact_frame(frame: pd.DataFrame, brands: Iterable[str], salt: str = "",
                 text_columns: Iterable[str] = ("text",),
                 author_columns: Iterable[str] = ("author", "customer")) -> pd.DataFrame:
    """A copy of ``frame`` with customer text, customer ids and agent tokens masked (for ``--redact``).
    Greeted first names stay here: the personalised-reply figure reads them, and a redacted run's
    figures equal the plain run's; every quote that leaves the audit is masked again, names too."""
    brands = list(brands)
    out = frame.copy()
    for col in text_columns:
        if col in out.columns:
            out[col] = redact_series(out[col], keep_handles=brands, names=False)
    out = redact_agents(out, salt)  # before authors: an agent is keyed by the brand handle it wrote for
    for col in author_columns:
        if col in out.columns:
            out[col] = redact_authors(out[col], brands, salt)
    return out
