"""Answers shown as HTML: Markdown without raw HTML or dangerous links, or escaped plain text."""

from functools import lru_cache

from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML disabled (it is shown escaped); markdown-it's link validation
    # refuses javascript:, vbscript:, file: and data: (except images) URLs.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_answer(entry) -> SafeString:
    """The entry's answer as safe HTML."""
    if entry.answer_format == entry.Format.PLAIN:
        return linebreaks(entry.answer, autoescape=True)
    return mark_safe(_markdown().render(entry.answer))  # noqa: S308 - html disabled above
