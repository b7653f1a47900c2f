"""How a brand reply sounds: agent sign-offs, moves to a private channel, personal address,
hand-overs to other teams, and the template a canned reply shares.

One place for every heuristic that reads brand text, so the metrics, the per-agent figures and
the evaluation on hand-labelled real replies (``python -m audit.evaluation.voice``) use the same code.
Patterns fit reply *styles* seen across real brands (a marker and a name or initials at the end,
closing words, thread markers), never one brand's habits; see
``tests/fixtures/real_labels/LABELLING.md`` for what each heuristic is meant to find.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import pandas as pd

from audit.common.handles import handle_keys
from audit.reading.redact import HANDLE_MASK

URL = r"(?:https?://|www\.)\S+"
_URL_RE = re.compile(URL)

HANDLE = r"@(?:\w+|\[\w+\])"  # a handle, or the mask --redact puts in its place (@[customer])
# leading @handles, masked ones too (``@[customer]`` under --redact), so a redacted reply reads the same
_LEADING_HANDLES = re.compile(r"^(?:\s*@(?:\w+|" + re.escape(HANDLE_MASK[1:]) + r"))+\s*")


def _per_unique(text: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``fn`` on each distinct reply body (leading @handles dropped), mapped back to every row.

    Replies repeat (templates, canned answers), so this saves most of the regex work on real data.
    """
    body = text.fillna("").astype("str").str.replace(_LEADING_HANDLES, "", regex=True)
    unique = pd.Series(body.unique(), dtype="str")
    return pd.Series(fn(unique).to_numpy(), index=unique.to_numpy()).reindex(body.to_numpy()).set_axis(text.index)


# --- sign-offs ---------------------------------------------------------------------------------
# Things that may follow a sign-off at the end of a reply and are peeled off first: links,
# thread markers ("2/2", "(1/3)", "(3)"), emoji, closing punctuation, and a team label after the
# agent's name ("Asmita - HP Social Media Tech Support", "( HP Social Media Tech Support )").
_EMOJI = "\u2190-\u21ff\u2300-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f000-\U0001faff"
_TRAILER = re.compile(
    r"(?:\s*" + URL + r"|\s*\(?\b\d{1,2}/\d{1,2}\)?|\s*\(\d{1,2}\)|[\s" + _EMOJI + r".!?…,;:]+"
    r"|\s*[-\u2013\u2014(]\s*[A-Z][\w ]{0,40}\b(?:[Ss]upport|[Tt]eam|[Cc]are|[Ss]ervice|[Hh]elp)\s*\)?)$")
# Words that close a reply but are not names ("... Enjoy", "- Thanks", "... DM" are not signed).
_NOT_NAMES = frozenset("""
thanks thank thankyou cheers regards rgds best enjoy sorry apologies welcome hi hello hey yes no okay
cool great awesome nice congrats congratulations done sure absolutely definitely noted bye wow oops hmm
indeed please team support help care service the and you we our your happy good love lol fab perfect
brilliant amazing soon today tomorrow merry xoxo
""".split())
_NOT_INITIALS = frozenset("DM DMS PM OK TY US UK EU FAQ ID PIN ASAP FYI IT TV PC LOL OMG XX NO HI TIA".split())
_NAME = r"[A-Z][A-Za-z]{0,15}"
_FULL_NAME = r"[A-Z][a-z]{1,15}(?: [A-Z]\b)?"  # Neha L
_MARKED = re.compile(  # ^AB ^cr ^ Sanal *KellenF *Shannon Pelletier (2/2)^AU back^AS
    r"[\^*]\s?(?P<tok>[A-Za-z][A-Za-z]{0,15}(?: [A-Z][a-z]+)?)$")
_SLASH = re.compile(r"(?:^|\s)/\s?(?P<tok>" + _NAME + r")$")                      # /LS, / Beth
_DASH = re.compile(  # -Becky, - Nick, -KC, again.-PR, !- Anwar, Thanks- Mariya, TY - Josh
    r"(?:^|[\s.!?,;:)]|(?i:thanks|ty|best|regards|cheers))[-\u2013\u2014~]\s?(?P<tok>" + _NAME + r")$")
_CLOSING = re.compile(  # Thanks, James / Kind regards, ^Craig / Rgds,Neha L / Regards,\nGanesh
    r"\b(?i:thanks|thank you|ty|regards|rgds|rds|best|best wishes|cheers|sincerely)\s*[,\n]\s*[\^*]?\s?"
    r"(?P<tok>" + _FULL_NAME + r")$")
_CLOSING_PLAIN = re.compile(  # Regards Dinesh / TY Jill ("Thanks Mark" addresses the customer)
    r"\b(?i:regards|rgds|cheers|ty)\s+(?P<tok>" + _FULL_NAME + r")$")
_BARE = re.compile(  # a name or initials alone after the last sentence: "... for you. Robbie"
    r"[.!?)\n\u3002\uff09]\s*(?P<tok>[A-Z][a-z]{1,15}|[A-Z]{2,3})$")
_SIGNOFF_PATTERNS = (_MARKED, _SLASH, _DASH, _CLOSING, _CLOSING_PLAIN, _BARE)
_CHECKED = (_DASH, _CLOSING, _CLOSING_PLAIN, _BARE)  # a caret/asterisk/slash token is always an agent


_WINDOW = 300  # a trailer or sign-off lies in the last characters: searching only there keeps it linear


def _strip_trailer(text: str) -> str:
    while True:
        found = _TRAILER.search(text, max(0, len(text) - _WINDOW))
        if found is None or found.start() == len(text):
            return text
        text = text[: found.start()]


def _find_signoff(text: str) -> re.Match[str] | None:
    """The sign-off match at the end of ``text`` (already stripped of its trailer), if any."""
    start = max(0, len(text) - _WINDOW)
    for pattern in _SIGNOFF_PATTERNS:
        found = pattern.search(text, start)
        if found is None:
            continue
        token = found.group("tok")
        word = token.split()[0].casefold()
        if pattern in _CHECKED and (word in _NOT_NAMES or word.startswith("thank") or token in _NOT_INITIALS):
            return None
        return found
    return None


@lru_cache(maxsize=1 << 16)
def _split_signoff(text: str) -> tuple[str, str | None]:
    """``(reply without trailer and sign-off, agent token or None)``; cached because the agent
    column, personal address and the canned template all read the same replies."""
    tail = _strip_trailer(text)
    found = _find_signoff(tail)
    return (tail[: found.start()], found.group("tok").strip()) if found else (tail, None)


def signoff_agent(text: str | None) -> str | None:
    """The agent token of the reply's sign-off (``LS``, ``cr``, ``KellenF``, ``Jane``), else None.

    The sign-off must close the reply: a link, a thread marker, emoji or punctuation may follow
    it and are skipped. Team hashtags (``#AATeam``), team names and closing words are not agents.
    """
    if not isinstance(text, str) or not text:
        return None
    return _split_signoff(text)[1]


def agents(text: pd.Series, authors: pd.Series | None = None) -> pd.Series:
    """:func:`signoff_agent` of every text (a nullable string column).

    With ``authors``, a "sign-off" that merely names the handle itself ("- Tesco") is dropped.
    """
    out = _per_unique(text, lambda u: pd.Series([signoff_agent(t) for t in u.tolist()], dtype="str"))
    if authors is not None:
        handle = handle_keys(authors)
        same = out.notna() & pd.Series(  # whole words of the handle only: ^AS on AskVisa is an agent
            [len(a) >= 4 and isinstance(h, str) and a.casefold().replace(" ", "") in h
             for a, h in zip(out.fillna("").tolist(), handle.tolist())], index=out.index)
        out = out.mask(same)
    return out


def signed(text: pd.Series) -> pd.Series:
    """True where the reply ends in an agent sign-off."""
    return agents(text).notna()


# --- redirection to a private channel -----------------------------------------------------------
_CONTACT_VERB = (r"contact|reach|get in touch|in touch|get help|write to us|chat with|connect|follow up"
                 r"|fill (?:in|out)|submit|form\b|ticket|send us|share your details|report")
REDIRECT = re.compile(
    r"\bDM(?:s|'?d|'?ing)?\b|\bdirect(?:ly)? messag|\bprivate(?:ly)? messag|\bPM (?:us|me)\b|\binbox\b"
    r"|\bsend (?:us|me) an? (?:PM|message|note)\b|\bmessage us\b"
    r"|\be-?mail (?:us|me)\b|\bsend (?:us|me) an? e-?mail\b|\be-?mail (?:support|team)\b"
    r"|(?<![\w.+-])[\w.+-]{1,64}@[\w-]+\.[a-z]{2,}\b"
    r"|\bcall (?:us|me|our|the)\b|\bgive (?:us|me) a (?:call|ring)\b|\b(?:phone|ring) us\b|\bdial\b|\bcall back\b"
    r"|\b(?:speak|talk|contact|report \w+) (?:with |to )?(?:our|the) [\w/ ]{0,30}?(?:team|line|department|services?)\b"
    r"|\b(?:fill (?:in|out)|complete) (?:the|this|our) (?:following |online )?form\b"
    r"|\b(?:use|using|via|through|click) (?:the|this) link\b"
    r"|\bphone/chat\b|\blive chat\b|\bchat (?:with us|securely|online)\b"
    r"|\+\d{1,3}[\s\d()-]{7,}\d|(?:\b1[-\s.]|\(|\b)\d{3}\)?[-\s.]\d{3}[-\s.]\d{4}\b|\b0[35789]\d{2}\s?\d{3}\s?\d{3,4}\b"
    r"|\bmensaje (?:directo|privado)|\bmensagem (?:direta|privada)|\bmessage priv|\bDirektnachricht"
    r"|\bligue para|\bll[aá]m(?:anos|enos|e al)\b",
    re.IGNORECASE)
# A link counts only when offered as the way to reach support ("reach us here: <link>",
# "<link> and our team will follow up"); checked only on replies that hold a link.
LINK_OFFERED = re.compile(
    r"(?:" + _CONTACT_VERB + r")[^.!?\n]{0,80}" + URL + r"|" + URL + r"[^.!?\n]{0,40}\b(?:and|so) (?:we|our team)\b",
    re.IGNORECASE)


def redirects(text: pd.Series) -> pd.Series:
    """True where the reply moves the case to a private channel (DM, e-mail, phone, chat, form)."""
    def flag(unique: pd.Series) -> pd.Series:
        hit = unique.str.contains(REDIRECT)
        linked = ~hit & unique.str.contains(_URL_RE)
        hit[linked] = unique[linked].str.contains(LINK_OFFERED)
        return hit
    return _per_unique(text, flag)


# --- personal address ---------------------------------------------------------------------------
_NOT_FIRST_NAMES = (r"there|team|all|everyone|folks|guys|again|so|for|to|please|we|our|you|the|it|this"
                    r"|that|again|very|much|and|but|from|in|on|everybody|friend|friends|y'all")
_GREETINGS = r"hi|hey|heya|hiya|hello|howdy|hola|ola|ol[aá]|bonjour|hallo|ciao|y'ello"
GREETING_NAME = re.compile(
    r"\b((?i:" + _GREETINGS + r"|dear|thanks|thank you|sorry|apologies|morning|afternoon|evening))"
    r"[,\s]+(?!(?i:" + _NOT_FIRST_NAMES + r")\b)[A-Z][a-z]+")
# Words that open a reply followed by a comma but are not names ("Unfortunately, ...").
_OPENERS = (r"sorry|yes|no|ok|okay|oh|well|great|sure|unfortunately|however|also|alternatively|currently"
            r"|absolutely|certainly|apologies|understood|noted|hmm|perfect|awesome|firstly|additionally|again"
            r"|otherwise|meanwhile|instead|luckily|fortunately|thankfully|honestly|actually|typically|usually"
            r"|normally|generally|sadly|right|done|correct|agreed|wow|cheers|welcome|congrats|congratulations")
_VOCATIVE = re.compile(  # "..., Alexa." / "..., Betsy!" / "Biyanka, we have ..." after the @handles
    r",\s*(?!(?i:" + _NOT_FIRST_NAMES + r"|thanks|sorry|please|yes|no|ok)\b)[A-Z][a-z]{1,15}(?:[.!?]|\s*[:;]-?[()DP]|\s*$)"
    r"|^(?:" + HANDLE + r"\s+)*(?!(?i:" + _NOT_FIRST_NAMES + r"|" + _GREETINGS + r"|" + _OPENERS + r")\b)"
    r"[A-Z][a-z]{1,15},")
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I'll|I've|I'd|me|my|mine|myself)\b", re.IGNORECASE)


def personalised(text: pd.Series) -> pd.Series:
    """True where the reply names the customer or an individual speaks (I, me, my).

    Read without the sign-off, so an agent signing ``^ME`` does not count as "me".
    """
    def flag(unique: pd.Series) -> pd.Series:
        body = pd.Series([strip_signoff(x) for x in unique.tolist()], dtype="str")
        return ((body.str.count(GREETING_NAME) > 0) | (body.str.count(_VOCATIVE) > 0)
                | body.str.contains(FIRST_PERSON))
    return _per_unique(text, flag)


# --- hand-overs to other people in the organisation ---------------------------------------------
ESCALATION = re.compile(
    r"\bpass(?:ed|ing)? (?:(?:this|it|that|them|these|the \w+|your [\w ]{1,25}?|on|along|over)\s?){1,3}"
    r"(?:on|along|over|to|internally)\b|\bget this passed\b|\bpass(?:ed|ing)? (?:on|along) (?:your|this|the)\b"
    r"|\b(?:suggest|mention|raise)(?:ed)? (?:this|it) (?:to|with) (?:our|the)\b|\bask (?:our|the) [\w ]{0,25}?team to\b"
    r"|\bescalat(?:e|ed|es|ing|ion|ions)\b|(?<!looking )(?<!look )\bforward(?:ed|ing)?\b(?! to (?:your|hearing|seeing|it)\b)"
    r"|\bfe(?:e)?d (?:this |it |your [\w ]{1,20}?)?back (?:to|internally)\b|\bfeedback your\b|\bfed back\b"
    r"|\bshar(?:e|ed|ing) (?:your|the|this) [\w ]{0,25}?(?:feedback|request|experience|comments?|suggestions?"
    r"|interest|preferences?|concerns?)\b|\bsubmitted your\b"
    r"|\blog(?:ged)? (?:this|it|your [\w ]{1,20}?)\b|\binternally\b|\brefer(?:red)? this to\b"
    r"|\bspecialists?\b|\bmember of our [\w ]{0,20}team\b|\b(?:concerned|relevant|correct) (?:team|department|location)\b"
    r"|\bsend(?:ing)? this (?:over )?to\b|\bhanded (?:this|it) (?:over )?to\b"
    r"|\b(?:check|partner \w+|liaise) with (?:our|the) [\w ]{0,25}?team\b|\bwill be alerted\b"
    r"|\b(?:colleagues|technician) (?:will|to)\b|\bto my [\w ]{0,20}colleagues\b",
    re.IGNORECASE)


def hands_over(text: pd.Series) -> pd.Series:
    """True where the reply says the case is passed to other people (team, specialist, escalation)."""
    return _per_unique(text, lambda unique: unique.str.contains(ESCALATION))


# --- canned replies -----------------------------------------------------------------------------
def strip_signoff(text: str) -> str:
    """The reply without its closing trailer (links, thread markers) and agent sign-off."""
    return _split_signoff(text)[0]


def normalise_reply(text: pd.Series) -> pd.Series:
    """Reduce a reply to its template: sign-off, links, handles, names and numbers removed."""
    t = _per_unique(text, lambda u: pd.Series([strip_signoff(x) for x in u.tolist()], dtype="str"))
    t = t.str.replace(URL, " ", regex=True)
    t = t.str.replace(r"(?<![\w@])" + HANDLE, " ", regex=True)
    t = t.str.replace(r"\[(?:number|phone|email)\]", "0", regex=True)  # --redact masks read as numbers
    t = t.str.replace(GREETING_NAME, r"\1", regex=True)
    t = t.str.casefold().str.replace(r"\d+", "#", regex=True)
    t = t.str.replace(r"[^\w#]+", " ", regex=True)
    return t.str.strip()
