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
