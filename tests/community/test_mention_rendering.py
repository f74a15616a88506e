"""Mentions in the rendered post: a member who may read the category is marked (profiles are
not public, so a marked span, not a link); names of no one stay plain; names carrying HTML are
text, through the same parser and cleaner as any post."""

from html.parser import HTMLParser

import pytest

from relais.community.models import MemberProfile
from relais.community.rendering import render_markdown
from relais.community.services import post_edit, post_reply, topic_create
from tests.community.conftest import make_member


@pytest.fixture
def question(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title="Précompte et droits d'auteur : qui déclare ?",
        body="Je suis photographe depuis cette année.",
        kind="question",
    )


def test_a_mention_of_a_member_who_may_read_is_marked(community, alice, bruno, question):
    make_member(community, "marie", "Marie L.")
    post = post_reply(user=alice, topic=question, body="Merci @Bruno dessin et @marie l., !")
    assert '<span class="mention">@Bruno dessin</span>' in post.html
    # As written (case), the trailing punctuation outside the name.
    assert '<span class="mention">@marie l.</span>, !' in post.html
    assert "<a " not in post.html  # profiles are not public: no link


def test_unknown_names_addresses_code_and_links_stay_plain(community, alice, bruno, question):
    post = post_reply(
        user=alice,
        topic=question,
        body="@Personne ici, écrire à contact@Bruno dessin, `@Bruno dessin`, "
        "[@Bruno dessin](https://exemple.fr)",
    )
    assert "mention" not in post.html
    assert "@Personne ici" in post.html
    assert "<code>@Bruno dessin</code>" in post.html


def test_a_member_who_cannot_read_the_category_is_not_marked(
    community, alice, moderator, staff_category
):
    topic = topic_create(
        user=moderator,
        category=staff_category,
        title="Coulisses : réponse type sur le précompte",
        body="À relire par @Alice photo et @Modération",
        kind="discussion",
    )
    html = topic.posts.get(position=0).html
    assert '<span class="mention">@Modération</span>' in html  # the moderator reads it
    assert "@Alice photo" in html and '<span class="mention">@Alice photo' not in html


def test_a_deleted_account_is_not_marked(community, alice, bruno, question):
    MemberProfile.objects.filter(user=bruno).update(deleted_at="2026-01-01T00:00Z")
    post = post_reply(user=alice, topic=question, body="Merci @Bruno dessin")
    assert "mention" not in post.html


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements, self.mention, self._in_mention = [], "", False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        self._in_mention = tag == "span"

    def handle_endtag(self, tag):
        self._in_mention = False

    def handle_data(self, data):
        if self._in_mention:
            self.mention += data


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '"><a href="javascript:alert(1)">x',
        "Zoé & <b>Cie</b>",
    ],
)
def test_names_holding_html_are_escaped_text(community, alice, question, name):
    user = make_member(community, "zoe", "Zoé provisoire")
    MemberProfile.objects.filter(user=user).update(display_name=name)
    post = post_reply(user=alice, topic=question, body=f"Bonjour @{name} merci")
    # The only elements are the paragraph and the mention, whose text is the name as written.
    parser = _Elements()
    parser.feed(post.html)
    assert parser.elements == [("p", []), ("span", [("class", "mention")])]
    assert parser.mention == f"@{name}"


def test_the_cleaner_keeps_only_the_mention_class():
    forged = render_markdown('<span class="mention" onclick="x()">faux</span>')
    assert "<span" not in forged  # raw HTML is text
    html = render_markdown("@Alice photo", mentions={"alice photo": "Alice photo"})
    assert html == '<p><span class="mention">@Alice photo</span></p>\n'


def test_an_edit_marks_the_new_mentions(community, alice, bruno, question):
    post = post_reply(user=alice, topic=question, body="Merci à tous")
    post = post_edit(user=alice, post=post, body="Merci à tous, et à @Bruno dessin")
    assert '<span class="mention">@Bruno dessin</span>' in post.html
