"""The demo clients' service profiles: who answers what, when, and in which thread shape.

Why: the sample must give every maturity level something to grade, so the three clients differ on
purpose; their teams (delays, hours, habits) and conversation entries are data, kept in one place.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

INTENTS = ("question", "complaint", "compliment", "other")

Hours = tuple[tuple[int, int], ...]  # (open hour, close hour) per weekday, Monday first


@dataclass(frozen=True)
class Team:
    """How one handle replies: delay of its first answer, opening hours, reply habits."""

    first_reply_min: float      # median minutes to a first answer when open
    sigma: float                # log-normal spread of that delay
    hours: Hours | None         # None = around the clock
    backlog_min: float          # how long the morning queue takes after opening
    signoffs: tuple[str, ...] = ()
    signoff_share: float = 0.0
    canned_share: float = 0.0   # share of first answers replaced by the handle's canned text


_CLOSED = (0, 0)
TEAMS: dict[str, Team] = {
    "NorthwindHome": Team(300, 1.0, ((9, 17),) * 5 + (_CLOSED, _CLOSED), 420),
    "BrightMobile": Team(95, 0.6, ((8, 22),) * 6 + ((10, 20),), 150,
                         ("^AB", "^JT", "-Kim", "-Raj", "^MC", "-Leah"), 0.9, 0.15),
    "Acme": Team(25, 0.7, ((7, 23),) * 7, 60),
    "AcmeHelp": Team(18, 0.55, None, 0,
                     ("-Jess", "^Tom", "-Priya", "^DS", "-Marco", "Cheers, Ana"), 0.95, 0.1),
}
CUSTOMER_HOURS: Hours = ((7, 24),) * 7  # people reply to a brand while awake


@dataclass(frozen=True)
class Entry:
    """A way a conversation starts: whom it addresses, its sector, intents and thread shapes.

    ``patterns`` maps intent -> [(steps, weight)]. Steps are ``SPEAKER.kind`` separated by
    spaces, speaker C = customer, B = the addressed handle, M = Acme, H = AcmeHelp; a step
    answers the step before it unless suffixed ``@i`` (answers step ``i``).
    """

    handle: str
    sector: str
    intents: tuple[float, float, float, float]  # in INTENTS order
    patterns: dict[str, tuple[tuple[str, float], ...]]
    share: float = 0.0           # of customer-opened conversations
    per_week: float = 0.0        # brand-opened (announcement) conversations per week


_NORTHWIND = Entry("NorthwindHome", "home", (0.30, 0.45, 0.12, 0.13), share=0.32, patterns={
    "complaint": (("C.open", 0.70), ("C.open C.nudge", 0.18), ("C.open B.canned", 0.09),
                  ("C.open B.canned C.angry", 0.03)),
    "question": (("C.open", 0.65), ("C.open B.canned", 0.31), ("C.open B.canned C.thanks", 0.04)),
    "compliment": (("C.open", 0.85), ("C.open B.canned_thanks", 0.15)),
    "other": (("C.open", 0.95), ("C.open B.canned", 0.05)),
})
_NORTHWIND_PROMO = Entry("NorthwindHome", "home", (0.30, 0.45, 0.10, 0.15), per_week=1, patterns={
    intent: (("B.announce", 0.5), ("B.announce C.open", 0.5)) for intent in INTENTS
})
_BRIGHT = Entry("BrightMobile", "telco", (0.33, 0.40, 0.17, 0.10), share=0.34, patterns={
    "complaint": (("C.open", 0.12), ("C.open B.apology_fix", 0.20),
                  ("C.open B.apology C.info B.resolve", 0.20),
                  ("C.open B.apology C.info B.resolve C.thanks", 0.25),
                  ("C.open B.apology_fix C.angry", 0.10), ("C.open B.dm_request C.ok_dm", 0.05),
                  ("C.open B.apology_fix C.thanks", 0.08)),
    "question": (("C.open", 0.10), ("C.open B.answer", 0.50), ("C.open B.answer C.thanks", 0.30),
                 ("C.open B.answer C.followup_q B.answer_more", 0.10)),
    "compliment": (("C.open", 0.10), ("C.open B.thanks_fan", 0.75),
                   ("C.open B.thanks_fan C.love", 0.15)),
    "other": (("C.open", 0.40), ("C.open B.chatter", 0.60)),
})
_ACME_HELP = Entry("AcmeHelp", "tech", (0.40, 0.40, 0.12, 0.08), share=0.25, patterns={
    "complaint": (("C.open", 0.04), ("C.open B.dm_request C.ok_dm B.followup_dm", 0.30),
                  ("C.open B.apology C.info B.escalation C.thanks", 0.25),
                  ("C.open B.apology_fix C.thanks B.ack", 0.20),
                  ("C.open B.dm_request C.ok_dm B.followup C.thanks", 0.15),
                  ("C.open B.apology C.angry B.escalation", 0.06)),
    "question": (("C.open", 0.05), ("C.open B.answer", 0.40), ("C.open B.answer C.thanks B.ack", 0.30),
                 ("C.open B.dm_request C.ok_dm B.followup", 0.25)),
    "compliment": (("C.open", 0.05), ("C.open B.thanks_fan", 0.80),
                   ("C.open B.thanks_fan C.love", 0.15)),
    "other": (("C.open", 0.10), ("C.open B.chatter", 0.90)),
})
_ACME = Entry("Acme", "tech", (0.15, 0.15, 0.45, 0.25), share=0.09, patterns={
    "complaint": (("C.open", 0.10), ("C.open M.redirect C.to_help H.apology_fix C.thanks", 0.60),
                  ("C.open M.redirect H.dm_request@0 C.ok_dm H.followup_dm", 0.30)),
    "question": (("C.open", 0.10), ("C.open M.redirect C.to_help H.answer", 0.60),
                 ("C.open M.redirect H.answer@0 C.thanks", 0.30)),
    "compliment": (("C.open", 0.15), ("C.open M.thanks_fan", 0.85)),
    "other": (("C.open", 0.50), ("C.open M.chatter", 0.50)),
})
_ACME_PROMO = Entry("Acme", "tech", (0.25, 0.05, 0.55, 0.15), per_week=3, patterns={
    "question": (("M.announce", 0.4), ("M.announce C.open H.answer", 0.6)),
    "complaint": (("M.announce", 0.4), ("M.announce C.open H.apology_fix", 0.6)),
    "compliment": (("M.announce", 0.4), ("M.announce C.open M.thanks_fan", 0.6)),
    "other": (("M.announce", 0.6), ("M.announce C.open", 0.4)),
})
ENTRIES: tuple[Entry, ...] = (_NORTHWIND, _BRIGHT, _ACME_HELP, _ACME, _NORTHWIND_PROMO, _ACME_PROMO)
# The demo clients: name, handles, and the example questionnaire kept next to the sample data.
CLIENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "Acme": (("Acme", "AcmeHelp"), "questionnaires/acme.yaml"),
    "BrightMobile": (("BrightMobile",), "questionnaires/brightmobile.yaml"),
    "Northwind Home": (("NorthwindHome",), "questionnaires/northwind_home.yaml"),
}

#: speaker codes of the thread patterns (0 pads a shorter pattern)
SPEAKERS = {"C": 1, "B": 2, "M": 3, "H": 4}


def author_handles(steps: pd.DataFrame) -> np.ndarray:
    """Author handle of brand posts ('' for customers)."""
    entry_handle = np.array([e.handle for e in ENTRIES], dtype=object)[steps["entry"].to_numpy()]
    speaker = steps["speaker"].to_numpy()
    return np.select([speaker == 2, speaker == 3, speaker == 4], [entry_handle, "Acme", "AcmeHelp"], "").astype(object)
