"""Posts as HTML: CommonMark (markdown-it-py, raw HTML off) cleaned by ``nh3``.

Two locks, not one: markdown-it escapes raw HTML and refuses ``javascript:``-like links, and
nh3 keeps only the tags and attributes listed here, so a parser bug cannot let a script
through. Links written by members carry ``rel="nofollow ugc noopener"`` (search engines and
the opener are told not to trust them). Images are not rendered in part 1 (attachments with
thumbnails come with their upload rules).
"""

import html as html_lib
import re
from functools import lru_cache

import nh3
from django.utils.html import strip_tags

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
_HEADING = re.compile(r"<(/?)h([12])>")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
        .disable("image")
    )


def render_markdown(body: str) -> str:
    """The sanitised HTML of a member's Markdown ``body``.

    Headings start at level 3: the page's own ``h1``/``h2`` stay the document outline.
    """
    html = _markdown().render(body or "")
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 2}>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )


def plain_text(body: str) -> str:
    """The text of a Markdown ``body`` without markup, white space collapsed (search, meta
    descriptions)."""
    return _SPACES.sub(" ", html_lib.unescape(strip_tags(render_markdown(body)))).strip()
