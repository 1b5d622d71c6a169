"""Help articles are content, not code: Markdown files with a front matter of title, topics, keywords and the
pages they explain, shipped in the package (domain/help/articles/) and checked when loaded — a broken article
is a test failure, never a surprise on a kiosk. Every article ends, when shown, with the Appointments teams'
contacts from the trusts' own data (`with_contacts`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources

from domain.errors import InvalidValue
from domain.hospital import Trust
from domain.language import N_, _

TOPICS = (N_("registering"), N_("signing in"), N_("appointments"), N_("letters and results"), N_("privacy"),
          N_("contact"))
"""Each article's topic (an article file names it in English; the screen shows it in its language)."""
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FIELD = re.compile(r"^([a-z_]+):\s*(.*)$")


class ArticleProblem(InvalidValue):
    """An article file that cannot be used: which, and why."""


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    """The file's name without .md: how a page names its article."""
    title: str
    topic: str
    keywords: tuple[str, ...]
    pages: tuple[str, ...]
    """The screens this article explains (their HELP_TOPIC): the help key on one of them opens it."""
    updated: date
    body: str
    """Markdown."""

    @property
    def words(self) -> str:
        """Everything the search reads: title, keywords and text, lower case."""
        return " ".join((self.title, " ".join(self.keywords), _plain(self.body))).lower()


def parse(slug: str, text: str) -> Article:
    """One article from its file's text, or ArticleProblem."""
    if not _SLUG.match(slug):
        raise ArticleProblem(f"{slug}.md: a file name is lower-case words joined by hyphens")
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [line.strip() for line in lines[1:]]:
        raise ArticleProblem(f"{slug}.md: starts with a front matter between two lines of ---")
    end = 1 + [line.strip() for line in lines[1:]].index("---")
    fields: dict[str, str] = {}
    for n, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        found = _FIELD.match(line.strip())
        if found is None:
            raise ArticleProblem(f"{slug}.md line {n}: expected 'name: value'")
        fields[found.group(1)] = found.group(2).strip()
    unknown = set(fields) - {"title", "topic", "keywords", "pages", "updated"}
    if unknown:
        raise ArticleProblem(f"{slug}.md: unknown field {sorted(unknown)[0]!r}")
    title = fields.get("title", "")
    if not 3 <= len(title) <= 80:
        raise ArticleProblem(f"{slug}.md: a title of 3 to 80 characters is needed")
    topic = fields.get("topic", "")
    if topic not in TOPICS:
        raise ArticleProblem(f"{slug}.md: topic must be one of {', '.join(TOPICS)}")
    keywords = tuple(k.strip().lower() for k in fields.get("keywords", "").split(",") if k.strip())
    if len(keywords) < 2:
        raise ArticleProblem(f"{slug}.md: at least two keywords, separated by commas")
    try:
        updated = date.fromisoformat(fields.get("updated", ""))
    except ValueError:
        raise ArticleProblem(f"{slug}.md: updated must be a date such as 2026-12-01") from None
    body = "\n".join(lines[end + 1:]).strip()
    if len(body) < 80:
        raise ArticleProblem(f"{slug}.md: the article has no text to speak of")
    if re.search(r"\]\(|<[a-z]", body):
        raise ArticleProblem(f"{slug}.md: no links or HTML (a kiosk cannot follow them)")
    pages = tuple(p.strip() for p in fields.get("pages", "").split(",") if p.strip())
    return Article(slug, title, topic, keywords, pages, updated, body)


def load(texts: Iterable[tuple[str, str]] | None = None, language: str = "en") -> tuple[Article, ...]:
    """Every article (from the package unless given (slug, text) pairs), in topic order, then by title. In another
    language, its translation where articles/<language>/ has one of the same name, else the English one."""
    if texts is None:
        folder = resources.files("domain.help") / "articles"
        found = {entry.name.removesuffix(".md"): entry.read_text(encoding="utf-8")
                 for entry in folder.iterdir() if entry.name.endswith(".md")}
        translated = folder / language
        if language != "en" and translated.is_dir():
            found.update({entry.name.removesuffix(".md"): entry.read_text(encoding="utf-8")
                          for entry in translated.iterdir() if entry.name.removesuffix(".md") in found})
        texts = sorted(found.items())
    articles = [parse(slug, text) for slug, text in texts]
    seen: dict[str, str] = {}
    for article in articles:
        for page in article.pages:
            if page in seen:
                raise ArticleProblem(f"{article.slug}.md: page {page!r} is explained by {seen[page]}.md already")
            seen[page] = article.slug
    return tuple(sorted(articles, key=lambda a: (TOPICS.index(a.topic), a.title)))


def for_page(articles: Iterable[Article], page: str) -> Article | None:
    """The article about a page (its HELP_TOPIC), if there is one."""
    return next((a for a in articles if page in a.pages), None)


def with_contacts(article: Article, trusts: Iterable[Trust]) -> str:
    """The article's text, ending with each trust's Appointments team."""
    lines = [article.body, "", "## " + _("Contact the Appointments team"), ""]
    for trust in trusts:
        lines.append(f"- **{trust.name}**: " + _("telephone {phone}, email {email}").format(
            phone=trust.appointments_phone, email=trust.appointments_email))
    return "\n".join(lines)


def _plain(markdown: str) -> str:
    return re.sub(r"[#*_`>-]+", " ", markdown)
