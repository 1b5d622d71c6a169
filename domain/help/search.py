"""Search the help centre as a person types: forgiving of spelling ("reshedule", "cancle", "paperles") and of
plain words ("change my appointment", "I didn't get the text"), best first. The plain words a person uses are
mapped to the articles' own words first; a fuzzy matcher (rapidfuzz, given by the composition root as
`closest`) finds the nearest word of each article."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from domain.help.articles import Article

Closest = Callable[[str, Sequence[str]], "tuple[str, float] | None"]
"""(a word, an article's words) → the nearest of them and its similarity from 0 to 100, or None."""

PLAIN_WORDS = {
    "change": "reschedule", "move": "reschedule", "rearrange": "reschedule", "date": "reschedule",
    "text": "sms", "message": "sms", "code": "sms", "phone": "mobile", "number": "mobile",
    "login": "sign in", "log": "sign in", "password": "sign in", "locked": "locked",
    "post": "paper", "email": "paperless", "blood": "results", "test": "results",
    "see": "privacy", "looked": "privacy", "who": "privacy",
    "car": "transport", "ambulance": "transport", "translator": "interpreter", "language": "interpreter",
}
"""What people say → the words the articles use."""

_STOP = frozenset("a an and are at be can do for from get got have how i in is it me my not of on or the to "
                  "was what when where why will with you your didnt dont cant".split())
THRESHOLD = 62
LONGEST_QUERY = 200
"""Characters of a query read: what a person types in the search box, never a page of text (each word costs a
fuzzy match against every article)."""
MOST_WORDS = 12


def search(articles: Sequence[Article], query: str, closest: Closest, limit: int = 8) -> list[Article]:
    """The articles that match, best first; none for a query that matches nothing well."""
    found_words = re.findall(r"[a-z0-9]+", query[:LONGEST_QUERY].lower().replace("'", ""))
    words = list(dict.fromkeys(w[:40] for w in found_words if w not in _STOP))[:MOST_WORDS]
    if not words:
        return []
    scores: list[tuple[float, int, Article]] = []
    for n, article in enumerate(articles):
        vocabulary = sorted(set(re.findall(r"[a-z0-9]+", article.words)))
        heads = set(re.findall(r"[a-z0-9]+", " ".join((article.title, *article.keywords)).lower()))
        total = 0.0
        for word in words:
            wanted = [word] + PLAIN_WORDS.get(word, "").split()
            best = 0.0
            for term in wanted:
                found = closest(term, vocabulary)
                if found is None:
                    continue
                score = found[1] * (1.4 if found[0] in heads else 1.0)
                if len(term) <= 3 and found[1] < 100:
                    score = 0.0  # short words must be exact: "car" is not "care"
                best = max(best, score)
            if best >= THRESHOLD:
                total += best
        if total:
            scores.append((total / len(words), -n, article))
    scores.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [article for _, _, article in scores[:limit]]
