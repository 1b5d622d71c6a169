"""The help centre's content and search: every article loads and is found by one of its own keywords; a table
of misspellings and plain phrases finds the right article first; a broken article is a failure here, not at a
kiosk."""

from __future__ import annotations

import pytest

from domain.help.articles import ArticleProblem, for_page, load, parse
from portal_tui.help import articles, find
from screens.common.help import PAGE_TOPICS


def test_every_article_loads_and_is_found_by_one_of_its_keywords() -> None:
    loaded = articles()
    assert len(loaded) >= 9
    for article in loaded:
        assert any(find(keyword) and find(keyword)[0].slug == article.slug for keyword in article.keywords), \
            article.slug


@pytest.mark.parametrize("query, slug", [
    ("reshedule", "changing-appointments"),
    ("cancle", "changing-appointments"),
    ("change my appointment", "changing-appointments"),
    ("paperles", "letters"),
    ("letters by post", "letters"),
    ("I didn't get the text", "codes-and-texts"),
    ("new phone", "codes-and-texts"),
    ("locked out", "signing-in"),
    ("forgot my pasword", "signing-in"),
    ("blood test", "results"),
    ("interpretr", "appointments-list"),
    ("hospital transport", "appointments-list"),
    ("who looked at my record", "privacy"),
    ("how do I register", "registering"),
    ("phone number for the hospital", "contact"),
])
def test_misspellings_and_plain_words_find_the_right_article_first(query: str, slug: str) -> None:
    found = find(query)
    assert found and found[0].slug == slug, (query, [a.slug for a in found])


def test_a_query_of_a_megabyte_costs_what_a_typed_one_does() -> None:
    """The search reads the first 200 characters and 12 different words of a query: a page pasted into the box
    (or sent to the desk service) does no more work than a question typed into it."""
    from domain.help import search

    asked: list[str] = []

    def counting(term: str, vocabulary: object) -> None:
        asked.append(term)
        return None

    search.search(articles(), "reshedule " + "appointment letters results " * 100_000, counting)
    assert 0 < len(asked) <= len(articles()) * search.MOST_WORDS * 3
    assert find("cancle " + "zz " * 300_000)[0].slug == "changing-appointments"


@pytest.mark.parametrize("query", ["", "   ", "the and of", "qqqzzz", "🙂"])
def test_nothing_matches_nothing(query: str) -> None:
    assert find(query) == []


def test_every_page_topic_has_its_article() -> None:
    loaded = load()
    for page, topic in PAGE_TOPICS.items():
        assert for_page(loaded, topic) is not None, (page, topic)


GOOD = "---\ntitle: A title\ntopic: privacy\nkeywords: one, two\npages: x\nupdated: 2026-12-01\n---\n" + "Words. " * 20


@pytest.mark.parametrize("slug, text, words", [
    ("Bad Name", GOOD, "lower-case words"),
    ("ok", GOOD.replace("---\n", "", 1), "front matter"),
    ("ok", GOOD.replace("topic: privacy", "topic: gossip"), "topic must be one of"),
    ("ok", GOOD.replace("keywords: one, two", "keywords: one"), "at least two keywords"),
    ("ok", GOOD.replace("2026-12-01", "yesterday"), "updated must be a date"),
    ("ok", GOOD + "[a link](http://example.com)", "no links"),
    ("ok", GOOD.replace("title: A title", "colour: red\ntitle: A title"), "unknown field 'colour'"),
    ("ok", GOOD.replace("Words. " * 20, "Short."), "no text to speak of"),
])
def test_a_broken_article_is_refused_with_the_reason(slug: str, text: str, words: str) -> None:
    with pytest.raises(ArticleProblem, match=words):
        parse(slug, text)


def test_two_articles_cannot_explain_one_page() -> None:
    with pytest.raises(ArticleProblem, match="explained by a.md already"):
        load([("a", GOOD), ("b", GOOD)])
