"""The demo community: realistic, complete, idempotent, through the services."""

from django.core.management import call_command

from relais.community.demo import load_community_demo
from relais.community.models import BannedWord, Flag, MemberProfile, OfficialAnswer, Post, Topic
from relais.core.interactions.models import Interaction
from relais.core.knowledge.models import Entry
from tests.factories import OrganizationFactory


def test_the_demo_community_has_everything_and_loads_once(db, client):
    organization = OrganizationFactory(name="Sécurité sociale des artistes-auteurs")
    community = load_community_demo(organization)
    assert {c.slug for c in community.categories.all()} >= {
        "affiliation",
        "cotisations",
        "retraite",
        "maladie-maternite",
        "action-sociale",
        "diffuseurs",
        "arts-graphiques",
        "livre",
        "musique",
        "audiovisuel",
        "photographie",
    }
    topics = Topic.objects.filter(community=community)
    assert topics.filter(replies_count=0, kind="question").count() >= 2
    assert topics.exclude(accepted_answer=None).count() >= 2
    states = set(OfficialAnswer.objects.values_list("kind", "state"))
    assert {
        ("organisation", "active"),
        ("validated", "active"),
        ("validated", "suspended"),
        ("validated", "review_due"),
    } <= states
    assert Flag.objects.filter(state="pending").count() >= 4
    assert Post.objects.filter(hidden="flags").count() == 1
    assert BannedWord.objects.filter(community=community).count() >= 6
    assert set(MemberProfile.objects.values_list("trust_level", flat=True)) >= {0, 1, 2}
    assert Entry.objects.filter(origin="community_answer", status="validated").exists()
    assert Interaction.objects.filter(event_code="community.question.asked").count() >= 10
    # Idempotent: a second load changes nothing.
    counts = (Topic.objects.count(), Post.objects.count(), Flag.objects.count())
    assert load_community_demo(organization) == community
    assert (Topic.objects.count(), Post.objects.count(), Flag.objects.count()) == counts
    # A visitor reads it.
    assert client.get("/communaute/").status_code == 200


def test_the_demo_command(db):
    call_command("load_community_demo", "--organization", "demo-artistes")
    assert Topic.objects.filter(community__organization__slug="demo-artistes").exists()


def test_the_demo_is_rich_deterministic_and_fast(db):
    import time

    organization = OrganizationFactory(name="Sécurité sociale des artistes-auteurs")
    # CPU time (SQLite runs in this process): wall time on a shared machine says little.
    started = time.process_time()
    community = load_community_demo(organization)
    assert time.process_time() - started < 15
    branches = list(
        MemberProfile.objects.filter(community=community).values_list("branch", flat=True)
    )
    for branch in ("arts-graphiques", "livre", "musique", "audiovisuel", "photographie"):
        assert branches.count(branch) >= 2, branch
    reasons = set(Flag.objects.filter(state="pending").values_list("reason", flat=True))
    assert {"spam", "personal_data", "off_topic", "inappropriate"} <= reasons
    posts = Post.objects.filter(topic__community=community)
    assert posts.filter(html__contains='<span class="mention">@Sarah romancière</span>').exists()
    unanswered = Topic.objects.filter(community=community, kind="question", replies_count=0)
    assert unanswered.count() >= 4
    assert OfficialAnswer.objects.filter(kind="organisation").count() >= 3
    assert OfficialAnswer.objects.filter(kind="validated").count() >= 4
    # Deterministic: the same titles and authors in the same order every time.
    assert list(
        Topic.objects.filter(community=community)
        .order_by("id")
        .values_list("title", "author__username")
    )[:3] == [
        ("Je commence la sculpture : dois-je m'affilier quelque part ?", "communaute-chloe"),
        ("Comment sont calculées mes cotisations si je déclare en BNC ?", "communaute-ines"),
        ("Mon éditeur a précompté mes cotisations : dois-je les redéclarer ?", "communaute-membre"),
    ]
