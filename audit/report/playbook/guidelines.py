"""Section 5, response guidelines: voice principles measured against today's replies, do's and
don'ts, the client's own best replies as examples, and templates in the client's words (the
reference its customers have, its intents first, one of its own posts under each; ``tailoring``).
"""
from __future__ import annotations

from audit.metrics.reply_metrics import CANNED_MIN_REPEATS
from audit.report.format import duration as _dur
from audit.report.format import percent as _pct
from audit.report.playbook.context import Context
from audit.report.playbook.evidence import best_replies, most_repeated_reply
from audit.report.playbook.figures import Figures
from audit.report.playbook.tailoring import Tailoring, example_post, order_templates

SIGN = "^[initials]"


def _today(figures: Figures, text: str, *keys: str) -> str:
    """' Today 12% of replies are signed.', each figure as the whole report prints it, or '' where
    one is missing (no dash in a sentence)."""
    if any(figures[k].value is None for k in keys):
        return ""
    return " Today " + text.format(*(figures.text(k) for k in keys)) + "."


def _main_channel(ctx: Context) -> str:
    channels = ctx.client.inbound["channel"].value_counts() if not ctx.client.inbound.empty else None
    return str(channels.index[0]) if channels is not None and len(channels) else "twitter"


def _templates(ctx: Context, tailor: Tailoring, private: str) -> list[dict]:
    """The file's templates filled in for this client, in its order (``order_templates``)."""
    pr = ctx.standards["priority_s"]
    fields = {"private": private, "reference": tailor.word("reference"), "thanks": tailor.word("thanks"),
              "p2": _dur(pr["P2"]), "p3": _dur(pr["P3"]), "p4": _dur(pr["P4"]), "sign": SIGN}
    out = []
    for t in order_templates(tailor):
        when = t["when"].format(**fields)
        if t["rare"]:
            when += f" (rare for you: {_pct(t['share'])} of customer posts)"
        out.append({"name": t["name"], "when": when, "text": t["text"].format(**fields),
                    "intents": t["intents"], "share": t["share"], "rare": t["rare"],
                    "example": example_post(ctx.client, t["intents"], tailor)})
    return out


def build_guidelines(ctx: Context, tailor: Tailoring) -> dict:
    b, c, f = ctx.base, ctx.client, ctx.figures
    private = "DM" if _main_channel(ctx) in ("twitter", "x", "instagram") else "private message"
    voice = [
        {"principle": "Sound like a person",
         "detail": "Sign every reply with the agent's initials (^AB)." + _today(f, "{} of replies are signed", "signoff_share")},
        {"principle": "Write for this customer",
         "detail": "Use their name and the detail they gave." + _today(
             f, "{} of replies reuse a template word for word and {} are personal", "canned_share", "personalised_share")},
        {"principle": "Acknowledge in public, resolve in private",
         "detail": f"Personal details ({tailor.word('references')}, contact details) move to {private}."
                   + _today(f, "{} of replies do that", "private_redirect_share")},
        {"principle": "Say what happens next, and when",
         "detail": "Name the team and the time." + _today(f, "hand-overs are visible in {} of replies", "escalation_share")},
        {"principle": "Close the loop",
         "detail": "Come back until it is solved, in the public thread too."
                   + _today(f, "{} of answered conversations get a follow-up", "follow_up_rate")},
    ]
    do = ["Reply to the customer's actual words in the first sentence",
          "Apologise once, specifically, then move to the fix",
          f"Give a time: 'we'll come back to you by 3pm', never 'soon'",
          f"Ask for personal details only in {private}, and say why",
          "Thank compliments by name and pass them to the team mentioned",
          "Return to the public thread when the case is closed"]
    dont = ["Ask a customer to repeat what they already wrote",
            "Argue in public, or answer sarcasm with sarcasm",
            f"Post {tailor.word('references')}, e-mail addresses or phone numbers in public replies",
            "Send people to another channel without saying who will pick it up and when",
            "Leave a complaint unanswered because it is rude: answer the issue"]
    repeated = most_repeated_reply(c, ctx.metrics)
    if repeated and repeated["times"] >= CANNED_MIN_REPEATS:
        dont.insert(0, f"Paste the same text again and again: \u201c{repeated['text']}\u201d was posted "
                       f"{repeated['times']} times in this period")
    examples = best_replies(c)
    brand = " / ".join(c.brands)
    # without an example there is nothing to show: the heading is left out, not filled with advice
    examples_note = (f"These are {brand}'s own replies after which the customer's next post was clearly more "
                     "positive (sentiment score up by 0.5 or more). They show the voice to copy. Personal data "
                     "is masked." if examples else "")
    templates = _templates(ctx, tailor, private)
    mix = tailor.intent_shares
    templates_note = ("In the order your customers need them: of your customer posts "
                      f"{_pct(mix['complaint'])} are complaints, {_pct(mix['question'])} questions and "
                      f"{_pct(mix['compliment'])} compliments; templates for intents you rarely get come last."
                      if mix else "")
    ctx.inputs["response_guidelines"] = {
        "voice_figures": {k: getattr(b, k) for k in ("signoff_share", "canned_share", "personalised_share",
                                                       "redirect_share", "escalation_share", "follow_up_rate")},
        "example_reply_ids": [e["reply_id"] for e in examples],
        "most_repeated_reply_times": repeated["times"] if repeated else None}
    lead = (f"How {brand} should sound, taken from the replies that already work for your customers "
            "and the ones that do not.")
    return {"lead": lead, "voice": voice, "do": do, "dont": dont, "examples": examples,
            "examples_note": examples_note, "templates": templates, "templates_note": templates_note}
