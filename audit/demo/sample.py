"""Seeded generator of demo social customer-service data in the public TWCS layout.

Why: the pipeline, notebooks, tests and benchmarks need data we can commit and share, and real
exports are client-confidential. The generator writes the "Customer Support on Twitter" (TWCS)
layout so the real ingest path is exercised, and it plays three demo clients whose service
profiles differ on purpose, so every maturity level has something to grade:

* ``NorthwindHome`` (passive): answers few posts, slowly, office hours only, canned replies.
* ``BrightMobile`` (active): answers most posts within a few hours, thanks fans, signs replies.
* ``Acme`` + ``AcmeHelp`` (strategic / cross-functional): the marketing handle redirects service
  questions to a 24/7 help handle that answers in minutes, moves cases to DM, escalates to other
  teams and turns complaints around.

Everything is drawn from one ``numpy`` generator, so a seed gives the same frame on any machine.
Conversation plans, timestamps and ids are vectorised; only the final text composition loops in
Python, which keeps a million messages to seconds.

CLI: ``python -m audit.demo.sample --out data/sample/twcs_sample.csv [--conversations N | --messages N]
[--seed S] [--weeks W] [--start YYYY-MM-DD]``.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
           "in_response_to_tweet_id"]
TWCS_TIME_FORMAT = "%a %b %d %H:%M:%S +0000 %Y"
DEFAULT_CONVERSATIONS = 6000
DEFAULT_SEED = 2017
DEFAULT_WEEKS = 12
DEFAULT_START = "2017-10-02"  # a Monday, in the period the public TWCS data covers
INTENTS = ("question", "complaint", "compliment", "other")
MAX_CHARS = 280
_DAY = 86_400

# --------------------------------------------------------------------------------------------
# Service profiles: who answers what, when, and in which thread shape.
# --------------------------------------------------------------------------------------------

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

# --------------------------------------------------------------------------------------------
# Text banks. Customer posts are composed from parts so texts vary; complaints carry clearly
# negative wording and compliments clearly positive wording, as tweet sentiment models expect.
# Placeholders: {ref} order/account reference, {n} small count, {mins}, {money}, {day}, {city},
# {speed}, {h} the addressed handle.
# --------------------------------------------------------------------------------------------

COMPLAINTS: dict[str, tuple[tuple[str, str], ...]] = {  # (issue, what the brand did about it)
    "home": (
        ("my sofa was meant to arrive on {day} and it still hasn't turned up",
         "your sofa is now booked on the first van out tomorrow morning"),
        ("the delivery driver left my parcel in the rain and the box is soaked through",
         "we've arranged a free replacement and a collection of the damaged one"),
        ("the wardrobe arrived with a cracked door and nobody will collect it",
         "a replacement door is on its way and the collection is booked"),
        ("I've been waiting {n} weeks for a refund on a table I sent back",
         "your refund has been processed and should show in 3-5 working days"),
        ("half the screws were missing from the bed frame, can't even put it together",
         "a fixings pack has been sent out by first class post"),
        ("I was charged twice for the same order",
         "the duplicate payment has been refunded"),
        ("the kitchen fitter never showed up and nobody called to say why",
         "your fitter is rebooked for {day} with a call the night before"),
        ("the lamp I ordered came broken. second time now",
         "a replacement lamp has been sent with extra packaging"),
        ("your helpline kept me on hold for over an hour",
         "a team leader will call you back today"),
        ("I cancelled my order {n} days ago and you still took the money",
         "the cancellation has gone through and your money is on its way back"),
        ("the 7am-7pm delivery slot came and went and nobody came",
         "your delivery is rebooked with a 2 hour slot"),
        ("you've lost my order and keep telling me it's 'in transit'",
         "we've found your order at the depot and it goes out tomorrow"),
        ("delivery & assembly cost me £{money} and the guys left the box everywhere",
         "we've refunded the assembly charge"),
        ("the mattress I paid extra for next day delivery hasn't arrived, {n} days later",
         "the next day delivery charge is refunded and the mattress goes out today"),
    ),
    "telco": (
        ("no signal at home for {n} days now",
         "our engineers have fixed the mast near you, signal should be back now"),
        ("my bill is £{money} more than it should be this month",
         "I've corrected your bill and added a £{money} credit"),
        ("mobile data keeps dropping out every few minutes",
         "I've refreshed your network settings, please restart your phone"),
        ("I've been charged roaming fees even though I'm on the EU plan",
         "the roaming charges have been removed from your bill"),
        ("my new SIM still isn't activated after {n} days",
         "your SIM is now active, give it an hour to connect"),
        ("the app has been down all morning and I can't top up",
         "the app is back up and running, sorry for the hassle"),
        ("I was promised a call back yesterday and nobody rang",
         "I've booked a call back for you at 3pm today"),
        ("my upgrade was supposed to arrive {day} and there's no sign of it",
         "your upgrade is out for delivery and arrives tomorrow"),
        ("you keep sending me spam texts after I opted out",
         "I've removed your number from all marketing lists"),
        ("5G? I can barely get 3G in {city} city centre",
         "we're upgrading the masts in {city} this month, and I've added a data boost for you"),
        ("I've been on hold for {mins} minutes just to cancel my contract",
         "I've logged your cancellation request, no need to call again"),
        ("calls keep cutting out mid conversation",
         "we found a fault on your local mast and it's now fixed"),
        ("you put my price up AGAIN without telling me",
         "I've applied a loyalty discount to bring your price back down"),
        ("my number port has failed twice",
         "your number port has gone through this time"),
        ("internet speed is awful, {speed} Mbps on a 'superfast' plan",
         "I've reset your line and booked a speed check for tomorrow"),
    ),
    "tech": (
        ("my parcel says delivered but there's nothing here",
         "the courier has confirmed it went to the wrong address and a new one is on its way"),
        ("the laptop I ordered arrived with a smashed screen",
         "a replacement laptop goes out today by next day delivery"),
        ("I sent my headphones back {n} weeks ago and still no refund",
         "your refund has been processed and should land in 3-5 working days"),
        ("your app crashes every time I try to check out",
         "the app fix is live, please update to the latest version"),
        ("I was charged but the order never went through",
         "the payment has been reversed and your order is placed"),
        ("the replacement charger is faulty too",
         "a new charger from a different batch is on its way"),
        ("my order has been stuck on 'processing' for {n} days",
         "your order has been released and ships today"),
        ("the courier marked it as 'customer not in' but I was home all day",
         "we've raised it with the courier and rebooked delivery for tomorrow"),
        ("I got the wrong item, ordered a blue case and got a pink one",
         "the right case is on its way with a returns label for the other"),
        ("the promo code didn't apply and now I've paid full price",
         "the discount has been refunded to your card"),
        ("the warranty repair has taken {n} weeks and nobody can tell me where my phone is",
         "your phone is repaired and back with you by {day}"),
        ("my account got locked and the reset email never arrives",
         "your account is unlocked and a new reset link has been sent"),
        ("the tablet stopped working after 2 weeks",
         "we've approved a replacement under warranty"),
        ("you cancelled my order without telling me",
         "your order has been reinstated at the original price"),
        ("tracking hasn't updated since {day}",
         "the courier has located your parcel and it arrives tomorrow"),
    ),
}
QUESTIONS: dict[str, tuple[tuple[str, str], ...]] = {  # (question, answer)
    "home": (
        ("do you deliver to {city}?", ""), ("how do I book an assembly slot for my wardrobe?", ""),
        ("is the Oslo corner sofa coming back in stock?", ""),
        ("can I change the delivery date on order {ref}?", ""),
        ("what are your opening hours on bank holidays?", ""),
        ("is there a way to track my furniture delivery?", ""),
        ("does the oak dining table come in a smaller size?", ""),
        ("can I return something I bought online to a store?", ""),
        ("how long does a kitchen survey usually take?", ""), ("do you price match?", ""),
        ("what's the returns window for mattresses?", ""), ("is the {city} store open on Sunday?", ""),
    ),
    "telco": (
        ("does my plan include roaming in the US?",
         "US roaming is included on plans from £20 a month; yours has it at £5 a day"),
        ("how do I get my PUK code?", "your PUK code is in the app under Account -> SIM"),
        ("is there 5G in {city} yet?", "yes, most of {city} has 5G now, check our coverage map"),
        ("can I keep my number if I switch to SIM only?",
         "yes, your number stays with you when you move to SIM only"),
        ("when does my contract end? how can I check?",
         "the app shows your contract end date under My Plan"),
        ("how do I set up wifi calling on an iPhone?",
         "go to Settings -> Phone -> Wi-Fi Calling and switch it on"),
        ("what's the cheapest way to add more data this month?",
         "a 5GB add-on for £5 is the cheapest, you can add it in the app"),
        ("can I add a second line to my account?",
         "yes, you can add a line in the app and get 20% off it"),
        ("is there an outage in {city} right now?",
         "there's no known outage in {city}; try restarting your phone and let us know"),
        ("how do I get an unlock code?", "request it in the app and it arrives within 24 hours"),
        ("do you do student discounts?", "yes, students get 10% off with a valid student email"),
        ("can I change the date my bill comes out?",
         "you can change your bill date once a year in the app under Billing"),
    ),
    "tech": (
        ("when will the X200 headphones be back in stock?",
         "the X200 is due back in stock next week, tap 'notify me' on the product page"),
        ("can I change the delivery address on order {ref}?",
         "you can change the address until it ships, under Orders in your account"),
        ("do you ship to Ireland?", "we do, standard delivery to Ireland takes 3-5 working days"),
        ("how do I start a return for a laptop?",
         "start it under Orders -> Return an item and we'll email a free label"),
        ("is there a student discount on tablets?", "students get 10% off tablets through Student Beans"),
        ("what's the warranty on refurbished phones?", "refurbished phones come with a 12 month warranty"),
        ("does the Acme Pro charger work with the older model?",
         "yes, the Pro charger works with every model from 2015 on"),
        ("can I pay with PayPal?", "yes, PayPal is available at checkout"),
        ("how long does standard delivery take to {city}?", "standard delivery to {city} is 2-3 working days"),
        ("is click & collect available at the {city} store?",
         "yes, click & collect is available at {city}, usually ready in 2 hours"),
        ("do you price match other retailers?", "we price match major UK retailers, just send us the link"),
        ("how do I update my card details in the app?",
         "go to Account -> Payment methods -> Edit card"),
    ),
}
PRAISE: dict[str, tuple[str, ...]] = {
    "home": ("the sofa arrived early and looks amazing", "the delivery team were brilliant, so careful with the stairs",
             "love my new bed, best sleep in ages", "the staff at the {city} store were so helpful today",
             "my new kitchen looks incredible", "the rug is even nicer in real life"),
    "telco": ("your chat team sorted my bill in five minutes", "signal in the countryside is actually great now",
              "best network I've been with, no complaints at all", "switching to you was the best decision, so much cheaper",
              "my upgrade arrived next day, brilliant", "5G in {city} is blazing fast"),
    "tech": ("my new headphones arrived next day and they sound incredible", "my refund came through super fast",
             "the team sorted my return in no time", "loving the new laptop, great price too",
             "best online shop for tech by far", "the Acme Pro earbuds are amazing"),
}
CHATTER = ("are you hiring for the summer?", "first!!", "who else is watching the match tonight",
           "follow back? 🙏", "WIN a FREE iPhone!! click here http://bit.ly/{code}", "just saw your ad on TV lol",
           "is it me or is everyone on twitter tonight", "RT if you remember the old logo",
           "my cat is sitting on my laptop again 🐱", "Happy Friday everyone!", "I need a holiday",
           "check out my new blog http://t.co/{code}", "Monday again 😴", "that song on your advert is stuck in my head",
           "lol my mate works for you", "bet you won't reply to this", "#tbt to the old days", "morning all ☕")

C_OPENERS = ("", "", "", "", "Seriously", "Unbelievable.", "Not impressed.", "Ugh.", "Absolutely fuming.",
             "So annoyed right now.", "Worst customer service ever.", "Third time asking:", "Hey", "Really disappointed,",
             "Come on", "Shocking.", "Why is it so hard to get help?", "FFS", "Honestly", "Done with this.", "Hi,")
C_DETAILS = ("", "", "", "Order {ref}.", "Still waiting.", "Spent {mins} mins on hold today.",
             "Nobody answers my emails.", "This is the third time I've complained.", "Still nothing.", "Again!!",
             "Not good enough.", "Ref {ref}.", "Rang twice, no help.")
C_CLOSERS = ("", "", "Sort it out!", "Terrible service.", "I want a refund.", "Never again.", "😡", "🤬🤬",
             "#fail", "#badservice", "Thanks for nothing.", "Really poor.", "Absolute joke.", "😤", "So frustrating.",
             "Expect better than this.", "Awful.", "Disgraceful.", "Cancel my account.", "Sick of it. 👎")
SARCASM = ("Great, another {mins} minutes on hold. Love it 🙃", "Brilliant, {n} days and still no refund. Top service 👏",
           "Wow, charged twice. Thanks so much 🙄", "Oh good, the app is down again. Perfect timing.")
Q_OPENERS = ("", "", "", "Hi,", "Hello!", "Quick question -", "Hey,", "Hi there,", "Morning!", "Can anyone help?", "hiya")
Q_CLOSERS = ("", "", "", "Thanks", "thanks in advance", "Cheers", "🙂", "ta", "Thx!", "🤔")
P_OPENERS = ("", "", "Just want to say", "Have to say", "Credit where it's due,", "So impressed!", "Wow,",
             "Honestly", "Shout out to the team,")
P_CLOSERS = ("Thank you!!", "10/10", "🙌", "❤️", "😍", "Amazing service!", "Well done team 👏", "Love it!",
             "#happycustomer", "Brilliant.", "Thanks so much 😊", "<3", "You're the best!")

FOLLOW_UPS: dict[str, tuple[str, ...]] = {  # customer turns after the opening post
    "info": ("It's {ref}, ordered on {day}. Still nothing.", "Done, reference is {ref}.", "{ref}. Still waiting.",
             "It's {ref}. Please just fix it.", "ref {ref}, I'm in {city}", "The ref is {ref} - and it's still not sorted"),
    "thanks": ("thanks, really appreciate the help", "Perfect, thanks!", "great stuff, cheers 👍",
               "that's really helpful, thank you 😊", "wow that was quick, thanks a lot!", "brilliant, thank you!"),
    "thanks_complaint": ("that's sorted now, thank you so much! 🙏", "brilliant, all working again. Thanks!",
                         "thanks, really appreciate you sorting this", "that's much better, thank you 😊",
                         "all good now, thanks for fixing it", "wow that was quick, thanks a lot! Faith restored 😊"),
    "angry": ("that's exactly the same copy and paste answer I got last week. Useless.",
              "I've already called 3 times!! This is a joke", "still nothing. Cancelling my contract.",
              "DM'd you yesterday, no reply. Terrible.", "Why is it so hard to get a straight answer? Absolutely useless",
              "not good enough. I'm going to the ombudsman 😡", "that doesn't help at all. Worst company ever."),
    "nudge": ("hello?? anyone there?", "still waiting for a reply...", "{n} days and no response. Brilliant. 🙄",
              "ignoring customers now is it?", "Any chance of a reply??", "STILL NO ANSWER. Pathetic."),
    "ok_dm": ("done, sent you a DM", "DM sent 👍", "ok, just messaged you", "sent, thanks", "DM'd you my details"),
    "love": ("❤️❤️", "you're welcome! keep it up", "😊👍", "no, thank YOU!", "🙌🙌"),
    "followup_q": ("thanks! does that work on pay as you go too?", "cool, and can I do that from abroad?",
                   "great, is there a fee for that?", "thanks, and how long does it take?"),
}

B_SORRY = ("Sorry to hear this!", "Oh no, we're sorry about that!", "We're so sorry about this.",
           "Really sorry for the trouble.", "That's not the service we want you to have, sorry.")
B_ASK = {"home": ("Can you send us your order number?",), "telco": ("Can you tell us your postcode and account number?",
         "What's the postcode where you're having problems?"), "tech": ("Can you let us know your order number?",
         "Which order is this about? Please share the order number.")}
B_GREET = ("Hi!", "Hey there!", "Hi there,", "Hello!", "Thanks for asking!", "")
BRAND_TEXTS: dict[str, tuple[str, ...]] = {
    "thanks_fan": ("Thank you so much! We love hearing this 😊", "Aw, thanks for the kind words! We'll pass this on to the team.",
                   "That's made our day! Thanks for the shout out 🙌", "So glad you're happy! Enjoy 😊",
                   "Thanks! We'll make sure the team sees this ❤️"),
    "ack": ("You're welcome! Have a great day 😊", "Glad we could help!", "Anytime! Enjoy your evening.",
            "Great to hear it's sorted!"),
    "dm_request": ("Please send us a DM with your order number and we'll look into it right away.",
                   "We'd like to look into this for you - can you DM us your account details?",
                   "Please pop us a DM with your details and we'll check what's happening.",
                   "Let's take this to DM so we can check your account securely."),
    "followup_dm": ("Thanks, we've replied to your DM. I've also passed this to our billing team, who'll be in touch within 24 hours.",
                    "Got your DM, thanks! I've escalated this to our delivery team and we'll update you there.",
                    "Thanks for the DM. I've passed your case to our returns team and we'll follow up tomorrow."),
    "escalation": ("Thanks. I've passed this to our billing team and they'll call you back today.",
                   "I've escalated this to our delivery partner and asked for an urgent update.",
                   "I've raised this with our returns team as a priority; you'll hear back within 24 hours.",
                   "Understood. I've passed this to our product team so it gets fixed for everyone."),
    "followup": ("Just checking in - did that sort things out for you?",
                 "Hi again! Following up on your case: it's all been sorted on our side now.",
                 "Quick follow-up: our team has resolved this, let us know if anything else comes up."),
    "redirect": ("Hi! For help with orders, our team at @AcmeHelp are on hand 24/7 - give them a shout.",
                 "Sorry to hear that! Please tweet @AcmeHelp and they'll look into it straight away.",
                 "Our support team at @AcmeHelp can help with this, we've flagged it to them."),
    "chatter": ("Haha, we love that! 😄", "Thanks for thinking of us!", "Happy Friday to you too! 🎉",
                "We see you 👀", "Ha! Thanks for the tweet."),
    "answer_more": ("Yes it does, and there's no extra charge.", "It usually takes about an hour.",
                    "No fee at all!", "Yes, it works just the same."),
}
CANNED: dict[str, tuple[str, ...]] = {
    "NorthwindHome": ("Thank you for your message. Please contact our customer service team on 0800 123 456 (Mon-Fri 9am-5pm).",
                      "We are sorry to hear this. Please email customer.care@northwindhome.com with your details.",
                      "Thank you for contacting Northwind Home. Please visit northwindhome.com/help for more information."),
    "NorthwindHome_thanks": ("Thank you for your feedback.",),
    "BrightMobile": ("Thanks for getting in touch! We're looking into this for you now.",),
    "AcmeHelp": ("Thanks for reaching out! Please send us a DM with your order number and we'll take a look.",),
}
ANNOUNCE: dict[str, tuple[str, ...]] = {
    "Acme": ("Our autumn sale is live! Up to 40% off laptops, headphones & more 👉 https://acme.example/deals",
             "New in: the Acme Pro X earbuds. Pre-order now https://acme.example/prox #AcmePro",
             "Free next day delivery this weekend on orders over £50 🚚", "Which colour would you pick? 🔴🔵⚫ #AcmePro",
             "Black Friday starts early this year... stay tuned 👀", "Our {city} store opens this Saturday! 🎉"),
    "NorthwindHome": ("Cosy up for autumn with our new throws and cushions https://northwindhome.com/autumn",
                      "Our winter sale starts Boxing Day - up to 50% off sofas.",
                      "Meet the Oslo range: Scandi style for less. https://northwindhome.com/oslo"),
}
CITIES = ("Leeds", "Manchester", "Bristol", "Glasgow", "Cardiff", "Birmingham", "Norwich", "Belfast", "York", "Brighton")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EMOJI_TAIL = ("", "", "", "", " 😡", " 🙄", " 😩", " 😭", " 😒")


# --------------------------------------------------------------------------------------------
# Conversation plans
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    """Every thread shape, padded into arrays so a conversation's steps are looked up at once."""

    speaker: np.ndarray     # (P, L) code: 0 pad, 1 C, 2 B, 3 M, 4 H
    kind: np.ndarray        # (P, L) index into kinds
    reply: np.ndarray       # (P, L) step answered, -1 for a root
    length: np.ndarray      # (P,)
    kinds: tuple[str, ...]


_SPEAKERS = {"C": 1, "B": 2, "M": 3, "H": 4}


def _build_plan(entries: Sequence[Entry]) -> tuple[_Plan, dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]]:
    """Parse pattern strings once; return the padded plan and, per (entry, intent), pattern ids
    with their probabilities."""
    shapes: dict[str, int] = {}
    choices: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for e, entry in enumerate(entries):
        for i, intent in enumerate(INTENTS):
            options = entry.patterns[intent]
            ids = [shapes.setdefault(p, len(shapes)) for p, _ in options]
            weights = np.array([w for _, w in options], dtype=float)
            choices[(e, i)] = (np.array(ids), weights / weights.sum())
    width = max(len(p.split()) for p in shapes)
    speaker = np.zeros((len(shapes), width), dtype=np.int8)
    kind = np.zeros((len(shapes), width), dtype=np.int16)
    reply = np.full((len(shapes), width), -1, dtype=np.int16)
    kinds: dict[str, int] = {}
    for pattern, p in shapes.items():
        for k, step in enumerate(pattern.split()):
            who, _, what = step.partition(".")
            what, _, target = what.partition("@")
            speaker[p, k] = _SPEAKERS[who]
            kind[p, k] = kinds.setdefault(what, len(kinds))
            reply[p, k] = int(target) if target else k - 1
    length = (speaker > 0).sum(axis=1)
    return _Plan(speaker, kind, reply, length, tuple(kinds)), choices


def _expected_length(entries: Sequence[Entry], plan: _Plan, choices) -> float:
    """Mean messages per customer-opened conversation, to size a run to N messages."""
    total = sum(e.share for e in entries)
    mean = 0.0
    for e, entry in enumerate(entries):
        for i, share in enumerate(entry.intents):
            ids, probs = choices[(e, i)]
            mean += entry.share / total * share * float(plan.length[ids] @ probs)
    return mean


# --------------------------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------------------------

_HOUR_WEIGHTS = np.array([0.6, 0.4, 0.3, 0.25, 0.25, 0.35, 0.7, 1.3, 2.0, 2.6, 2.8, 2.8, 2.9, 2.8, 2.7, 2.6,
                          2.6, 2.7, 2.9, 3.0, 2.9, 2.6, 2.0, 1.2])
_WEEKDAY_WEIGHTS = np.array([1.05, 1.0, 1.0, 1.0, 0.95, 0.75, 0.7])


def _weekday(t: np.ndarray) -> np.ndarray:
    return (t // _DAY + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0


def _customer_times(rng: np.random.Generator, n: int, start_s: int, weeks: int) -> np.ndarray:
    """Opening posts follow a daily cycle (busy afternoons and evenings, quiet small hours) and a
    weekly one (quieter weekends)."""
    days = np.arange(weeks * 7)
    w = _WEEKDAY_WEIGHTS[_weekday(start_s + days * _DAY)]
    day = rng.choice(days, size=n, p=w / w.sum())
    hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    return start_s + day * _DAY + hour * 3600 + rng.integers(0, 3600, size=n)


def _brand_post_times(rng: np.random.Generator, n: int, start_s: int, weeks: int) -> np.ndarray:
    """Announcements go out in office hours."""
    day = rng.integers(0, weeks * 7, size=n)
    return start_s + day * _DAY + rng.integers(9 * 3600, 18 * 3600, size=n)


def _defer(t: np.ndarray, hours: Hours | None, backlog_s: float, rng: np.random.Generator) -> np.ndarray:
    """Move times outside opening hours to the next opening plus a wait drawn from the morning
    backlog: a closed team answers the overnight queue after it opens, not all at once."""
    if hours is None or t.size == 0:
        return t
    opens = np.array([h[0] for h in hours]) * 3600
    closes = np.array([h[1] for h in hours]) * 3600
    day = t // _DAY
    sec = t - day * _DAY
    wd = _weekday(t)
    outside = ~((sec >= opens[wd]) & (sec < closes[wd]))
    target = np.zeros_like(t)
    today = outside & (sec < opens[wd]) & (opens[wd] < closes[wd])
    target[today] = day[today] * _DAY + opens[wd[today]]
    pending = outside & ~today
    for ahead in range(1, 8):
        wd_next = (wd + ahead) % 7
        found = pending & (opens[wd_next] < closes[wd_next])
        target[found] = (day[found] + ahead) * _DAY + opens[wd_next[found]]
        pending &= ~found
    out = t.copy()
    out[outside] = target[outside] + rng.uniform(0, backlog_s, int(outside.sum())).astype(np.int64)
    return out


def _lognormal_s(rng: np.random.Generator, median_min: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return (60 * median_min * np.exp(sigma * rng.standard_normal(median_min.shape))).astype(np.int64) + 1


def format_twcs_time(t: np.ndarray) -> np.ndarray:
    """Seconds since the epoch -> ``Tue Oct 31 22:10:47 +0000 2017``; formats each distinct day
    and each second of a day once, so a million rows format in well under a second."""
    day, sec = np.divmod(np.asarray(t, dtype=np.int64), _DAY)
    uniq, inv = np.unique(day, return_inverse=True)
    heads, tails = [], []
    for d in uniq:
        stamp = datetime.fromtimestamp(int(d) * _DAY, tz=timezone.utc)
        heads.append(stamp.strftime("%a %b %d "))
        tails.append(stamp.strftime(" +0000 %Y"))
    clock = np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(_DAY)], dtype=object)
    return (np.array(heads, dtype=object)[inv] + clock[sec] + np.array(tails, dtype=object)[inv])


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

class _Fill(dict):
    """Per-message placeholder values; unknown keys are left as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _mix(topic: np.ndarray, salt: int) -> np.ndarray:
    """Spread a conversation's topic number into independent-looking digits (splitmix64)."""
    z = np.asarray(topic, dtype=np.uint64) + np.uint64(salt * 0x9E3779B97F4A7C15 % 2**64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _fills(sector: str, topic: np.ndarray) -> list[_Fill]:
    """Placeholder values derived from the conversation's topic number, so the order number,
    city or day a customer gives stays the same through the whole thread."""
    def draw(salt: int, low: int, high: int) -> np.ndarray:
        return (low + _mix(topic, salt) % np.uint64(high - low)).astype(np.int64)

    digits, nums, mins, money = draw(1, 10**5, 10**6), draw(2, 2, 15), draw(3, 25, 160), draw(4, 12, 90)
    days, cities, speeds, codes = draw(5, 0, 7), draw(6, 0, len(CITIES)), draw(7, 1, 9), draw(8, 36**5, 36**6)
    if sector == "home":
        refs = [f"NW{d}" for d in digits]
    elif sector == "telco":
        refs = [f"account ending {d % 10000:04d}" for d in digits]
    else:
        refs = [f"#A{d}{d % 997:03d}" for d in digits]
    return [_Fill(ref=refs[i], n=int(nums[i]), mins=int(mins[i]), money=int(money[i]), day=DAYS[days[i]],
                  city=CITIES[cities[i]], speed=int(speeds[i]), code=np.base_repr(int(codes[i]), 36).lower())
            for i in range(len(topic))]


def _sentence(*parts: str) -> str:
    """Join parts, capitalising a part that starts a new sentence."""
    out = ""
    for part in parts:
        if not part:
            continue
        if not out or out.rstrip()[-1:] in ".!?:":
            part = part[0].upper() + part[1:]
        out = f"{out} {part}" if out else part
    return out


def _pick(rng: np.random.Generator, bank: Sequence[str], n: int) -> list[str]:
    return [bank[i] for i in rng.integers(0, len(bank), size=n)]


def _mention(rng: np.random.Generator, handles: Sequence[str], bodies: Sequence[str]) -> list[str]:
    """Customers mostly start with the handle, sometimes tag it at the end or mid-sentence."""
    style = rng.random(len(bodies))
    out = []
    for s, h, b in zip(style, handles, bodies):
        if s < 0.8:
            out.append(f"@{h} {b}")
        elif s < 0.9:
            out.append(f"{b} @{h}")
        else:
            out.append(f"Hey @{h} {b[0].lower()}{b[1:]}")
    return out


def _open_posts(rng, sector: str, intent: str, topic: np.ndarray, handles: Sequence[str]) -> list[str]:
    n = len(topic)
    fills = _fills(sector, topic)
    if intent == "complaint":
        bank = COMPLAINTS[sector]
        sarcastic = rng.random(n) < 0.04
        parts = zip(_pick(rng, C_OPENERS, n), _pick(rng, C_DETAILS, n), _pick(rng, C_CLOSERS, n))
        bodies = [SARCASM[t % len(SARCASM)] if s else _sentence(o, bank[t % len(bank)][0] + ".", d, c)
                  for t, s, (o, d, c) in zip(topic, sarcastic, parts)]
    elif intent == "question":
        bank = QUESTIONS[sector]
        bodies = [_sentence(o, bank[t % len(bank)][0], c)
                  for t, o, c in zip(topic, _pick(rng, Q_OPENERS, n), _pick(rng, Q_CLOSERS, n))]
    elif intent == "compliment":
        bank = PRAISE[sector]
        bodies = [_sentence(o, bank[t % len(bank)] + ".", c)
                  for t, o, c in zip(topic, _pick(rng, P_OPENERS, n), _pick(rng, P_CLOSERS, n))]
    else:
        bodies = [CHATTER[t % len(CHATTER)] for t in topic]
    return [b.format_map(f) for b, f in zip(_mention(rng, handles, bodies), fills)]


def _to_help(rng, sector: str, intent: str, topic: np.ndarray, handles: Sequence[str]) -> list[str]:
    """The customer's second try, at the help handle the marketing handle pointed to."""
    bank = COMPLAINTS[sector] if intent == "complaint" else QUESTIONS[sector]
    fills = _fills(sector, topic)
    lead = _pick(rng, ("hi, @Acme sent me here -", "@Acme said to ask you:", "hello, following up from @Acme:"), len(topic))
    return [f"@AcmeHelp {l} {bank[t % len(bank)][0]}".format_map(f) for t, l, f in zip(topic, lead, fills)]


def _customer_reply(rng, sector: str, kind: str, intent: str, topic: np.ndarray,
                    handles: Sequence[str]) -> list[str]:
    fills = _fills(sector, topic)
    bodies = _pick(rng, FOLLOW_UPS.get(f"{kind}_{intent}", FOLLOW_UPS[kind]), len(topic))
    return [f"@{h} {b}".format_map(f) for h, b, f in zip(handles, bodies, fills)]


def _brand_reply(rng, sector: str, kind: str, intent: str, topic: np.ndarray, handle: str,
                 customers: Sequence[str]) -> list[str]:
    """A reply from ``handle`` to each customer: body by kind, some canned, optional sign-off."""
    n = len(topic)
    team = TEAMS[handle]
    if kind in ("canned", "canned_thanks"):
        bodies = _pick(rng, CANNED[handle + ("_thanks" if kind == "canned_thanks" else "")], n)
    elif kind == "announce":
        return [b.format_map(f) for b, f in zip(_pick(rng, ANNOUNCE[handle], n), _fills(sector, topic))]
    elif kind in ("apology", "apology_fix", "resolve", "answer"):
        bodies = _answer_bodies(rng, sector, kind, intent, topic)
        if team.canned_share and handle in CANNED:
            canned = rng.random(n) < team.canned_share
            bodies = [CANNED[handle][0] if c else b for c, b in zip(canned, bodies)]
    else:
        bodies = _pick(rng, BRAND_TEXTS[kind], n)
    signed = rng.random(n) < team.signoff_share
    signs = _pick(rng, team.signoffs or ("",), n)
    fills = _fills(sector, topic)
    return [f"@{c} {b}{' ' + s if g else ''}".format_map(f)
            for c, b, g, s, f in zip(customers, bodies, signed, signs, fills)]


def _answer_bodies(rng, sector: str, kind: str, intent: str, topic: np.ndarray) -> list[str]:
    n = len(topic)
    if kind == "apology":
        return [f"{s} {a}" for s, a in zip(_pick(rng, B_SORRY, n), _pick(rng, B_ASK[sector], n))]
    if kind == "answer" or intent == "question":
        bank = QUESTIONS[sector]
        return [_sentence(g, bank[t % len(bank)][1] + ".") for t, g in zip(topic, _pick(rng, B_GREET, n))]
    bank = COMPLAINTS[sector]
    lead = _pick(rng, B_SORRY, n) if kind == "apology_fix" else ["Thanks for that!"] * n
    return [f"{l} I've checked and {bank[t % len(bank)][1]}." for t, l in zip(topic, lead)]


_TYPO_SWAPS = (("you", "u"), ("please", "pls"), ("your", "ur"), ("thanks", "thx"), ("really", "rly"),
               ("because", "cos"), ("the ", "teh "), ("receive", "recieve"), ("definitely", "definately"))


def _roughen(rng: np.random.Generator, texts: list[str], cross: bool) -> list[str]:
    """Make customer posts look typed on a phone: lower case, text-speak, swapped letters, a photo
    link, a line break; ``cross`` posts also shout and end in an angry emoji."""
    n = len(texts)
    r = rng.random((n, 6))
    swap = rng.integers(0, len(_TYPO_SWAPS), size=n)
    pos = rng.random(n)
    tails = _pick(rng, EMOJI_TAIL, n)
    links = [f" https://t.co/{np.base_repr(int(c), 36)}" for c in rng.integers(36**9, 36**10, size=n)]
    out = []
    for i, text in enumerate(texts):
        if r[i, 0] < 0.15:
            text = text.lower()
        if r[i, 1] < 0.15:
            a, b = _TYPO_SWAPS[swap[i]]
            text = text.replace(a, b, 1)
        elif r[i, 1] < 0.22:
            j = 1 + int(pos[i] * (len(text) - 2))
            if text[j - 1].isalpha() and text[j].isalpha():
                text = text[:j - 1] + text[j] + text[j - 1] + text[j + 1:]
        if cross and r[i, 2] < 0.05:
            text = text.upper()
        if cross and r[i, 3] < 0.3:
            text += tails[i]
        if r[i, 4] < 0.04:
            text += links[i]
        if r[i, 5] < 0.05:
            text = text.replace(". ", ".\n" if r[i, 5] < 0.03 else ".\n\n", 1)
        out.append(text)
    return out


def _escape(text: str) -> str:
    """TWCS stores tweets with &, < and > as HTML entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    return text[:MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------

def generate(n_conversations: int = DEFAULT_CONVERSATIONS, *, n_messages: int | None = None,
             seed: int = DEFAULT_SEED, weeks: int = DEFAULT_WEEKS, start: str = DEFAULT_START) -> pd.DataFrame:
    """Return a TWCS-layout frame of demo conversations, one row per post, ordered by tweet id.

    ``n_conversations`` counts customer-opened conversations; brand announcements come on top
    (a few per week). Pass ``n_messages`` instead to get exactly that many rows (for benchmarks):
    the conversation count is sized from the plan's mean thread length and the last thread is
    cut short if needed.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    rng = np.random.default_rng(seed)
    entries = ENTRIES
    plan, choices = _build_plan(entries)
    start_s = int(pd.Timestamp(start, tz="UTC").timestamp())
    n_promo = [int(round(e.per_week * weeks)) for e in entries]
    if n_messages is not None:
        if n_messages < 1:
            raise ValueError("n_messages must be at least 1")
        n_conversations = int(n_messages / _expected_length(entries, plan, choices) * 1.05) + 20
    convs = _draw_conversations(rng, entries, plan, choices, n_conversations, n_promo, start_s, weeks)
    steps = _explode(convs, plan, n_messages)
    steps["t"] = _timestamps(rng, steps, plan)
    steps["text"] = _texts(rng, steps, plan, entries)
    return _to_twcs(steps)


def _draw_conversations(rng, entries, plan, choices, n_customer: int, n_promo: list[int],
                        start_s: int, weeks: int) -> dict[str, np.ndarray]:
    """One row per conversation: entry, intent, thread shape, topic, customer, start time."""
    shares = np.array([e.share for e in entries])
    entry = np.concatenate([rng.choice(len(entries), size=n_customer, p=shares / shares.sum()),
                            np.repeat(np.arange(len(entries)), n_promo)])
    n = len(entry)
    intent_p = np.array([e.intents for e in entries])
    cum = intent_p.cumsum(axis=1)
    intent = (rng.random(n)[:, None] > cum[entry]).sum(axis=1).clip(0, len(INTENTS) - 1)
    pattern = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    for (e, i), (ids, probs) in choices.items():
        sel = (entry == e) & (intent == i)
        pattern[sel] = ids[np.searchsorted(probs.cumsum(), u[sel] * (1 - 1e-12))]
    pool = max(200, int(n * 0.7))
    customer_ids = 110_000 + rng.choice(pool * 8, size=pool, replace=False)
    customer = customer_ids[(pool * rng.random(n) ** 1.6).astype(np.int64)]  # some write often
    t0 = np.concatenate([_customer_times(rng, n_customer, start_s, weeks),
                         _brand_post_times(rng, n - n_customer, start_s, weeks)])
    order = rng.permutation(n)  # interleave announcements so a cut to N rows is unbiased
    return {"entry": entry[order], "intent": intent[order], "pattern": pattern[order],
            "topic": rng.integers(0, 1 << 30, size=n)[order], "customer": customer[order], "t0": t0[order]}


def _explode(convs: dict[str, np.ndarray], plan: _Plan, n_messages: int | None) -> pd.DataFrame:
    """One row per planned post; with ``n_messages``, keep whole threads up to N and a prefix of
    the next (a prefix of a thread is still a valid thread)."""
    length = plan.length[convs["pattern"]].astype(np.int64)
    if n_messages is not None:
        ends = np.cumsum(length)
        if ends[-1] < n_messages:
            raise RuntimeError("conversation estimate too small; raise the safety margin")
        last = int(np.searchsorted(ends, n_messages))
        length = length[:last + 1].copy()
        length[-1] -= ends[last] - n_messages
        convs = {k: v[:last + 1] for k, v in convs.items()}
    conv = np.repeat(np.arange(len(length)), length)
    first = np.cumsum(length) - length
    step = np.arange(len(conv)) - first[conv]
    pat = convs["pattern"][conv]
    reply_step = plan.reply[pat, step].astype(np.int64)
    return pd.DataFrame({
        "conv": conv, "step": step, "speaker": plan.speaker[pat, step], "kind": plan.kind[pat, step],
        "parent": np.where(reply_step >= 0, first[conv] + reply_step, -1),
        "entry": convs["entry"][conv], "intent": convs["intent"][conv], "topic": convs["topic"][conv],
        "customer": convs["customer"][conv], "t0": convs["t0"][conv],
    })


def _handles(steps: pd.DataFrame) -> np.ndarray:
    """Author handle of brand posts ('' for customers)."""
    entry_handle = np.array([e.handle for e in ENTRIES], dtype=object)[steps["entry"].to_numpy()]
    speaker = steps["speaker"].to_numpy()
    return np.select([speaker == 2, speaker == 3, speaker == 4], [entry_handle, "Acme", "AcmeHelp"], "").astype(object)


def _timestamps(rng, steps: pd.DataFrame, plan: _Plan) -> np.ndarray:
    """Walk the threads step by step: each post comes a drawn delay after the previous one,
    brand posts only when the team works, customer replies only when people are awake."""
    t = steps["t0"].to_numpy().copy()
    step = steps["step"].to_numpy()
    speaker = steps["speaker"].to_numpy()
    handle = _handles(steps)
    kinds = np.array(plan.kinds, dtype=object)[steps["kind"].to_numpy()]
    brand_seen = np.zeros(len(t), dtype=bool)  # has the brand already spoken in this thread?
    for k in range(1, int(step.max(initial=0)) + 1):
        rows = np.flatnonzero(step == k)
        prev = rows - 1
        brand_seen[rows] = brand_seen[prev] | (speaker[prev] > 1)
        median = np.full(len(rows), 25.0)
        sigma = np.full(len(rows), 1.1)
        nudge = kinds[rows] == "nudge"
        median[nudge], sigma[nudge] = 480.0, 0.7
        brand = speaker[rows] > 1
        for h, team in TEAMS.items():
            sel = brand & (handle[rows] == h)
            median[sel] = team.first_reply_min * np.where(brand_seen[rows][sel], 0.6, 1.0)
            sigma[sel] = team.sigma
        new = t[prev] + _lognormal_s(rng, median, sigma)
        for h, team in TEAMS.items():
            sel = brand & (handle[rows] == h)
            new[sel] = _defer(new[sel], team.hours, team.backlog_min * 60, rng)
        new[~brand] = _defer(new[~brand], CUSTOMER_HOURS, 90 * 60, rng)
        t[rows] = new
    return t


def _texts(rng, steps: pd.DataFrame, plan: _Plan, entries: Sequence[Entry]) -> np.ndarray:
    """Compose every post, one vectorised batch per (entry, intent, kind)."""
    text = np.empty(len(steps), dtype=object)
    handle = _handles(steps)
    parent = steps["parent"].to_numpy()
    # customers address the brand they answer, or the entry handle when opening / nudging
    entry_handle = np.array([e.handle for e in entries], dtype=object)[steps["entry"].to_numpy()]
    addressed = np.where((parent >= 0) & (handle[np.maximum(parent, 0)] != ""),
                         handle[np.maximum(parent, 0)], entry_handle)
    customers = steps["customer"].astype(str).to_numpy()
    topic = steps["topic"].to_numpy()
    groups = steps.groupby(["entry", "intent", "kind", "speaker"], sort=True).indices
    for (e, i, kd, spk), rows in groups.items():
        sector, intent, kind = entries[e].sector, INTENTS[i], plan.kinds[kd]
        if spk == 1:
            if kind == "open":
                made = _open_posts(rng, sector, intent, topic[rows], addressed[rows])
            elif kind == "to_help":
                made = _to_help(rng, sector, intent, topic[rows], addressed[rows])
            else:
                made = _customer_reply(rng, sector, kind, intent, topic[rows], addressed[rows])
            made = _roughen(rng, made, cross=intent == "complaint" and kind in ("open", "angry", "nudge"))
        else:
            made = _brand_reply(rng, sector, kind, intent, topic[rows], handle[rows[0]], customers[rows])
        text[rows] = [_escape(_clip(m)) for m in made]
    return text


def _to_twcs(steps: pd.DataFrame) -> pd.DataFrame:
    """Number posts in time order (tweet ids grow with time), link replies both ways, format."""
    t = steps["t"].to_numpy()
    order = np.lexsort((steps["step"].to_numpy(), steps["conv"].to_numpy(), t))
    ids = np.empty(len(t), dtype=np.int64)
    ids[order] = np.arange(1, len(t) + 1)
    parent = steps["parent"].to_numpy()
    has_parent = parent >= 0
    in_reply = np.where(has_parent, ids[np.maximum(parent, 0)], 0).astype(float)
    in_reply[~has_parent] = np.nan
    children = pd.DataFrame({"parent": ids[parent[has_parent]], "child": ids[has_parent]}).sort_values("child")
    joined = children.groupby("parent")["child"].agg(lambda c: ",".join(map(str, c)))
    handle = _handles(steps)
    inbound = handle == ""
    frame = pd.DataFrame({
        "tweet_id": ids,
        "author_id": np.where(inbound, steps["customer"].astype(str).to_numpy(), handle),
        "inbound": inbound,
        "created_at": format_twcs_time(t),
        "text": steps["text"].to_numpy(),
        "response_tweet_id": pd.Series(ids).map(joined).to_numpy(),
        "in_response_to_tweet_id": in_reply,
    })
    frame = frame.sort_values("tweet_id", ignore_index=True)
    for col in ("author_id", "created_at", "text", "response_tweet_id"):
        frame[col] = frame[col].astype("str")
    return frame


def write_clients_yaml(path: Path, data_name: str) -> None:
    """The demo clients and their handles, next to the data they audit; a client's example
    questionnaire is listed only when that file sits beside the YAML (paths are relative to it)."""
    import yaml

    clients = []
    for name, (handles, questionnaire) in CLIENTS.items():
        entry: dict[str, object] = {"name": name, "brands": list(handles)}
        if (Path(path).parent / questionnaire).is_file():
            entry["questionnaire"] = questionnaire
        clients.append(entry)
    Path(path).write_text(yaml.safe_dump({"data": data_name, "clients": clients}, sort_keys=False), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m audit.demo.sample", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS,
                      help="customer-opened conversations (default %(default)s)")
    size.add_argument("--messages", type=int, help="exact number of rows instead (benchmarks)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS)
    parser.add_argument("--start", default=DEFAULT_START, help="first day, YYYY-MM-DD (UTC)")
    parser.add_argument("--clients-yaml", type=Path, default=None,
                        help="also write the demo clients file here")
    args = parser.parse_args(argv)
    frame = generate(args.conversations, n_messages=args.messages, seed=args.seed, weeks=args.weeks,
                     start=args.start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, lineterminator="\n")
    if args.clients_yaml:
        write_clients_yaml(args.clients_yaml, Path(args.out).name)
    print(f"wrote {len(frame):,} posts to {args.out}")


if __name__ == "__main__":
    main()
