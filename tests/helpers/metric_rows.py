"""The hand-computed metrics fixture: one week (Monday 2024-03-04, UTC) of conversations whose every
figure can be checked with pencil and paper; the comments give the facts the answers use."""
from __future__ import annotations

from tests.helpers import frames as F

conv = F.conversation


def fixture_rows() -> list[dict]:
    rows = []
    # c1 Mon 10:00 negative, AcmeHelp after 30 min (DM, ^AB), customer thanks at +40 -> recovered.
    rows += conv("c1", "AcmeHelp", "u1", "2024-03-04 10:00", [
        (0, "u1", "@Acme my order is late, awful", "negative", "complaint"),
        (30, "AcmeHelp", "Sorry! Please send us a DM with your order number. ^AB"),
        (40, "u1", "thanks, sorted", "positive", "other")])
    # c2 Mon 23:30 (night) negative, Acme after 120 min on Tuesday (not the same day in UTC).
    rows += conv("c2", "Acme", "u2", "2024-03-04 23:30", [
        (0, "u2", "@Acme broken again", "negative", "complaint"),
        (120, "Acme", "We're sorry to hear that. Our team is looking into it.")])
    # c3 Saturday question, never answered.
    rows += conv("c3", "Acme", "u3", "2024-03-09 12:00", [(0, "u3", "@Acme open today?", "neutral", "question")])
    # c4 Tue 09:15 compliment, AcmeHelp after 10 min, checks in again 2 h later (follow-up by gap).
    rows += conv("c4", "AcmeHelp", "u4", "2024-03-05 09:15", [
        (0, "u4", "@AcmeHelp love the new app", "positive", "compliment"),
        (10, "AcmeHelp", "Thanks Sarah, glad you like it! -Kim"),
        (130, "AcmeHelp", "Just checking in, all good?")])
    # c5 Wed 14:00 negative, nudged an hour later, never answered: 2 unanswered negative posts.
    rows += conv("c5", "Acme", "u5", "2024-03-06 14:00", [
        (0, "u5", "@Acme refund missing", "negative", "complaint"),
        (60, "u5", "@Acme hello?? still nothing", "negative", "other")])
    # c6 Wed 15:00 question, answered after 5 h; customer thanks, brand has the last word.
    rows += conv("c6", "AcmeHelp", "u6", "2024-03-06 15:00", [
        (0, "u6", "@Acme when does it ship?", "neutral", "question"),
        (300, "AcmeHelp", "I have checked: the order ships Friday."),
        (320, "u6", "great, thanks", "positive", "other"),
        (330, "AcmeHelp", "You're welcome! Details at https://acme.example/help")])
    # c7 brand announcement (not a reply, not customer-opened); a fan's reply is never answered.
    rows += conv("c7", "Acme", "u7", "2024-03-07 10:00", [
        (0, "Acme", "New range out now https://acme.example/new"),
        (20, "u7", "@Acme love it", "positive", "compliment")])
    # c9-c11 Thu 11:00/12:00/13:00: the same DM template three times (canned); 20/40/90 min.
    for cid, hour, minutes, text in [("c9", 11, 20, "Hi Tom, please send us a DM. ^AB"),
                                     ("c10", 12, 40, "Hi Jo, please send us a DM -Kim"),
                                     ("c11", 13, 90, "Hi Mia, please send us a DM.")]:
        rows += conv(cid, "Acme", f"u{cid}", f"2024-03-07 {hour}:00", [
            (0, f"u{cid}", "@Acme can I change my order?", "neutral", "question"), (minutes, "Acme", text)])
    # c12 Thu 11:30 on facebook, answered after 200 min: hour 83 has c9 (20 min) and c12 (200 min).
    rows += conv("c12", "Acme", "u12", "2024-03-07 11:30", [
        (0, "u12", "@Acme store hours?", "neutral", "question"),
        (200, "Acme", "The store opens at 9 and we have forwarded your note.")], channel="facebook")
    # c8: a peer brand, answered in 5 minutes.
    rows += conv("c8", "Other", "u8", "2024-03-04 10:00", [
        (0, "u8", "@Other help", "negative", "complaint"), (5, "Other", "On it!")])
    return rows
