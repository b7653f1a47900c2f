"""Reply metrics: how the brand answers, read from its replies and their timing. Channel strategy
(a private channel, a dedicated service handle), voice (signed, personal, not canned) and
integration (follow-up, hand-over to other teams).

The text flags behind them come from ``audit.conversations.voice``, calibrated on hand-labelled
real replies; the definitions here describe what those heuristics match.
"""
from __future__ import annotations

import pandas as pd

from audit.metrics.metric import Measure, Metric, share
from audit.metrics.scope import Scope

CANNED_MIN_REPEATS = 3


def canned(s: Scope) -> pd.Series:
    """Per reply: its normalised text is shared by at least ``CANNED_MIN_REPEATS`` replies in scope."""
    keys = s.replies["_canned_key"]
    return keys.map(keys.value_counts()) >= CANNED_MIN_REPEATS


REPLY: tuple[Metric, ...] = (
    Metric("private_redirect_share", "Replies moving to a private channel",
           "Share of brand replies that move the case out of public view: a DM / direct or private "
           "message, inbox, e-mail (an address or 'email us'), a phone call or number, live chat, a form, "
           "or a link offered as the way to contact support ('reach us here: <link>'); a link to "
           "information only does not count.",
           "share", True, lambda s: share(s.replies["_redirect"]), "channel_strategy", "private_redirect"),
    Metric("service_handle_present", "Dedicated service handle",
           "1 when one of the brand handles is a dedicated service handle (its name ends in help, support, "
           "cares or service, case-insensitive, or it is listed as a service handle in the configuration), "
           "else 0.",
           "flag", True, lambda s: Measure(int(bool(s.handles & s.service))), "channel_strategy"),
    Metric("service_handle_reply_share", "Replies from the service handle",
           "Share of brand replies written by a dedicated service handle.",
           "share", True, lambda s: share(s.replies["_author"].isin(s.service)),
           "channel_strategy", "service_handle_replies"),
    Metric("signoff_share", "Replies signed by an agent",
           "Share of brand replies ending in an agent sign-off (links, thread markers like 2/2 and emoji "
           "after it ignored): a caret, asterisk, slash or dash before initials or a first name (^AB, ^cr, "
           "*KellenF, /LS, - Nick), a closing with a name ('Thanks, James'), or a name alone after the "
           "last sentence; team hashtags and team names are not agents.",
           "share", True, lambda s: share(s.replies["_signoff"]), "voice", "signoff"),
    Metric("personalised_share", "Personalised replies",
           "Share of brand replies that address the customer by name ('Hi Sarah', 'Thanks Tom', "
           "'..., Alexa.') or speak in the first person singular (I, I'm, I'll, I've, I'd, me, my; the "
           "sign-off itself not counted).",
           "share", True, lambda s: share(s.replies["_personal"]), "voice", "personalised"),
    Metric("canned_share", "Canned replies",
           f"Share of brand replies whose normalised text (links, @handles, greeting names, sign-offs "
           f"removed, numbers replaced, lower-cased, punctuation dropped) is shared by at least "
           f"{CANNED_MIN_REPEATS} replies of the same brand handle(s).",
           "share", False, lambda s: share(canned(s)), "voice", "canned"),
    Metric("follow_up_rate", "Follow-up",
           "Share of answered customer-opened conversations where the brand follows up: the customer "
           "wrote again after the first brand reply and the brand posted after the customer's last post, "
           "or the brand posted two messages at least 1 hour apart.",
           "share", True, lambda s: share(s.convs["_follow_up"], s.convs["answered"]), "integration", "follow_up"),
    Metric("escalation_share", "Replies handing over to another team",
           "Share of brand replies that hand the case to other people in the organisation: 'passed this "
           "to / on', 'escalated', 'forwarded', 'shared your feedback', 'fed back to', 'logged this', "
           "'a specialist', 'a member of our team', 'check with our ... team' (not 'contact our team', "
           "which sends the customer away).",
           "share", True, lambda s: share(s.replies["_escalation"]), "integration", "escalation"),
)
