"""Section 5, response guidelines: voice principles measured against today's replies, do's and
don'ts, the client's own best replies as examples, and templates.
"""
from __future__ import annotations

from audit.metrics.reply_metrics import CANNED_MIN_REPEATS
from audit.report.format import duration as _dur
from audit.report.playbook.context import Context
from audit.report.playbook.evidence import best_replies, most_repeated_reply


def _main_channel(ctx: Context) -> str:
    channels = ctx.client.inbound["channel"].value_counts() if not ctx.client.inbound.empty else None
    return str(channels.index[0]) if channels is not None and len(channels) else "twitter"


def build_guidelines(ctx: Context) -> dict:
    b, c, f = ctx.base, ctx.client, ctx.figures
    private = "DM" if _main_channel(ctx) in ("twitter", "x", "instagram") else "private message"
    p2 = _dur(ctx.standards["priority_s"]["P2"])
    voice = [
        {"principle": "Sound like a person",
         "detail": f"Sign every reply with the agent's initials (^AB). Today {f.text('signoff_share')} of replies are signed."},
        {"principle": "Write for this customer",
         "detail": f"Use their name and the detail they gave. Today {f.text('canned_share')} of replies reuse a template "
                   f"word for word and {f.text('personalised_share')} are personal."},
        {"principle": "Acknowledge in public, resolve in private",
         "detail": f"Order, account and contact details move to {private}. Today {f.text('private_redirect_share')} of replies do that."},
        {"principle": "Say what happens next, and when",
         "detail": f"Name the team and the time. Hand-overs are visible in {f.text('escalation_share')} of replies today."},
        {"principle": "Close the loop",
         "detail": f"Come back until it is solved, in the public thread too. Today {f.text('follow_up_rate')} of answered "
                   "conversations get a follow-up."},
    ]
    do = ["Reply to the customer's actual words in the first sentence",
          "Apologise once, specifically, then move to the fix",
          f"Give a time: 'we'll come back to you by 3pm', never 'soon'",
          f"Ask for personal details only in {private}, and say why",
          "Thank compliments by name and pass them to the team mentioned",
          "Return to the public thread when the case is closed"]
    dont = ["Ask a customer to repeat what they already wrote",
            "Argue in public, or answer sarcasm with sarcasm",
            "Post order numbers, e-mail addresses or phone numbers in public replies",
            "Send people to another channel without saying who will pick it up and when",
            "Leave a complaint unanswered because it is rude: answer the issue"]
    repeated = most_repeated_reply(c, ctx.metrics)
    if repeated and repeated["times"] >= CANNED_MIN_REPEATS:
        dont.insert(0, f"Paste the same text again and again: \u201c{repeated['text']}\u201d was posted "
                       f"{repeated['times']} times in this period")
    examples = best_replies(c)
    brand = " / ".join(c.brands)
    examples_note = (
        f"These are {brand}'s own replies after which the customer's next post was clearly more positive "
        "(sentiment score up by 0.5 or more). They show the voice to copy. Personal data is masked."
        if examples else
        f"No reply in this export was followed by a clearly more positive customer post, so there is no "
        f"in-house example yet: use the templates below and collect your first good examples in the next 30 days.")
    sign = "^[initials]"
    templates = [
        {"name": "Apology (public, first reply to a complaint)", "when": "Complaints, P2; within " + p2,
         "text": f"Hi [name], I'm sorry [the problem in their words] - that's not the service we want you to have. "
                 f"I'd like to sort it now: could you send us a {private} with your [order/account] reference? {sign}"},
        {"name": f"Moving to a private channel", "when": "Whenever personal data is needed",
         "text": f"Thanks [name]. So we can check your [order/account] safely, please send us a {private} with "
                 f"[the details needed] - please don't post them here. I'll pick it up within {p2}. {sign}"},
        {"name": "Follow-up", "when": "24 h after a fix was promised, in the same thread",
         "text": f"Hi [name], checking back on your [issue] from [day]: is everything working now? If not, reply "
                 f"here and I'll take it straight on. {sign}"},
        {"name": "Thanking an advocate", "when": "Compliments, P4; same day",
         "text": f"Thank you, [name]! That's made the team's day - I'll pass it on to [team/store]. "
                 f"Enjoy your [product]! {sign}"},
        {"name": "Holding statement (tier 5)", "when": "Surge or incident; within 30 min of the trigger",
         "text": "We know some customers are having problems with [issue] since [time]. We're working on it now "
                 "and will update here by [time]. We're sorry for the disruption."},
    ]
    ctx.inputs["response_guidelines"] = {
        "voice_figures": {k: getattr(b, k) for k in ("signoff_share", "canned_share", "personalised_share",
                                                       "redirect_share", "escalation_share", "follow_up_rate")},
        "example_reply_ids": [e["reply_id"] for e in examples],
        "most_repeated_reply_times": repeated["times"] if repeated else None}
    lead = (f"How {brand} should sound, taken from the replies that already work for your customers "
            "and the ones that do not.")
    return {"lead": lead, "voice": voice, "do": do, "dont": dont, "examples": examples,
            "examples_note": examples_note, "templates": templates}
