"""Which posts are not in English, so they are kept apart from the topics and counted.

Why: the bundled sentence embedder is English; posts in another language sit together by
language, not subject, and would become a "topic" of their own ("Que, en, la"). A post is taken
as another language when most of its letters are of a non-Latin script, or when it has at least
``min_words`` words and not one of them is a common English word, or more of them are function
words of another language than of English ("no" and "me" are Spanish too). Cheap (a regex per post) and
conservative: a short English post without function words stays in.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from audit.textmodel.normalize import normalize_text

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
#: The commonest function words of the other languages seen in care exports (Spanish, Portuguese,
#: French, Italian, German, Dutch, Malay/Indonesian): labels carry no stop word in any language.
OTHER_STOP_WORDS = frozenset("""
que de la el en los las del por para con una uno es se lo mi su al como mas pero ya muy esta este
eso hay ser son fue gracias hola favor tengo tiene nao um uma os ao na no em mais sim obrigado
le les des du et est pas pour dans sur avec une il elle vous nous je merci bonjour ce qui
il di che non per una sono della grazie ciao der die das und ist nicht ein eine ich sie mit auf
den dem danke het een van niet ik je dat voor op ik yang dan di ke ini itu saya tidak ada untuk
dengan la nak tak kau ni aku
""".split())
#: Common English words beyond sklearn's stop list, so terse English posts are recognised.
_ENGLISH_EXTRA = frozenset("""
thanks thank please help hi hello hey dm flight order account phone service internet app
can't don't won't im ive its still why how what when""".split())


#: Words of sklearn's English stop list that are as common in Romance languages.
_NOT_ONLY_ENGLISH = frozenset({"de", "un", "con", "per", "ie", "eg", "co", "etc", "re"})


def _english_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return (frozenset(ENGLISH_STOP_WORDS) - _NOT_ONLY_ENGLISH) | _ENGLISH_EXTRA


def other_language(texts: Sequence[str], min_words: int = 4) -> np.ndarray:
    """Boolean per text: True where the post is in another language than English."""
    english = _english_words()
    out = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        clean = normalize_text("" if text is None else str(text)).replace("@user", " ").replace("http", " ")
        letters = [c for c in clean if c.isalpha()]
        if len(letters) >= 3 and sum(bool(_LATIN.match(c)) for c in letters) < 0.5 * len(letters):
            out[i] = True
            continue
        words = [w.lower() for w in _WORD.findall(clean)]
        known = sum(w in english for w in words)
        foreign = sum(w in OTHER_STOP_WORDS and w not in english for w in words)
        # words shared with English ("no", "me") must not hide a Spanish post
        out[i] = len(words) >= min_words and (known == 0 or foreign > known)
    return out
