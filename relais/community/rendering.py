"""Posts as HTML: CommonMark (markdown-it-py, raw HTML off) cleaned by ``nh3``.

Two locks, not one: markdown-it escapes raw HTML and refuses ``javascript:``-like links, and
nh3 keeps only the tags and attributes listed here, so a parser bug cannot let a script
through. Links written by members carry ``rel="nofollow ugc noopener"`` (search engines and
the opener are told not to trust them). Images are not rendered in part 1 (attachments with
thumbnails come with their upload rules).

Mentions: an ``@nom affiché`` naming a member who may read the post's category is marked
``<span class="mention">`` (profiles are not public, so it is not a link); the span is built
as a parser token, its text escaped by the renderer, and nh3 keeps ``span`` with that one
class only. Names of no one, and names in code or inside a link, stay as written.
"""

import html as html_lib
import re
from functools import lru_cache

import nh3
from django.utils.html import strip_tags

from relais.community.mentions import mention_spans

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
    "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_CLASSES = {"span": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
_HEADING = re.compile(r"<(/?)h([12])>")
_SPACES = re.compile(r"\s+")
# A link that leaves the site: a scheme (``https:``, ``mailto:``) or a protocol-relative
# ``//host``. Relative links (a quote's link back to the post it quotes) stay on the site.
_EXTERNAL_HREF = re.compile(r'<a\s[^>]*href="(?:[a-z][a-z0-9+.-]*:|//)', re.IGNORECASE)


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    md = (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
        .disable("image")
    )
    md.core.ruler.push("mentions", _mark_mentions)
    md.add_render_rule("mention", _render_mention)
    return md


def _mark_mentions(state) -> None:
    """Split the text tokens outside links around the mentions ``env["mentions"]`` knows."""
    from markdown_it.token import Token

    names = state.env.get("mentions")
    if not names:
        return

    def text_token(content: str):
        token = Token("text", "", 0)
        token.content = content
        return token

    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type != "text" or in_link:
                children.append(token)
                continue
            text, position = token.content, 0
            for start, end, display in mention_spans(text, lambda n: names.get(n.lower())):
                if start > position:
                    children.append(text_token(text[position:start]))
                mention = Token("mention", "span", 0)
                mention.content, mention.meta = text[start:end], {"name": display}
                children.append(mention)
                position = end
            if position == 0:
                children.append(token)
            elif position < len(text):
                children.append(text_token(text[position:]))
        block.children = children


def _render_mention(self, tokens, idx, options, env) -> str:
    return f'<span class="mention">{html_lib.escape(tokens[idx].content)}</span>'


def render_markdown(body: str, *, mentions: dict[str, str] | None = None) -> str:
    """The sanitised HTML of a member's Markdown ``body``.

    Headings start at level 3: the page's own ``h1``/``h2`` stay the document outline.
    ``mentions`` (lower-cased display name -> display name, from
    ``services.notifications.mentionable_names``) says which ``@`` names to mark.
    """
    html = _markdown().render(body or "", {"mentions": mentions or {}})
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 2}>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )


def external_links(body: str) -> int:
    """How many links to other sites (or e-mail addresses) the Markdown ``body`` renders to;
    an address written as plain text is not a link (the parser does not linkify)."""
    return len(_EXTERNAL_HREF.findall(render_markdown(body)))


def plain_text(body: str) -> str:
    """The text of a Markdown ``body`` without markup, white space collapsed (search, meta
    descriptions)."""
    return _SPACES.sub(" ", html_lib.unescape(strip_tags(render_markdown(body)))).strip()
