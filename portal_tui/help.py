"""The help centre's matcher (rapidfuzz), given to the domain's search; and the articles, loaded once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from rapidfuzz import fuzz, process

from domain import language as languages
from domain.help.articles import Article, load
from domain.help.search import search


def closest(word: str, vocabulary: Sequence[str]) -> tuple[str, float] | None:
    found = process.extractOne(word, vocabulary, scorer=fuzz.ratio)
    return (found[0], found[1]) if found is not None else None


def articles() -> tuple[Article, ...]:
    """The articles in the screen's language (each one not yet translated in English)."""
    return _articles(languages.current())


@cache
def _articles(language: str) -> tuple[Article, ...]:
    return load(language=language)


def find(query: str) -> list[Article]:
    return search(articles(), query, closest)
