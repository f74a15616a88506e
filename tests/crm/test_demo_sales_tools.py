"""The demo's sales tools: ``load_demo`` fills the live dealership's segments, campaigns,
agenda and duplicate review through the tools' services, and nothing elsewhere."""

import datetime

import pytest
from django.utils import timezone

from relais.core.jobs.models import Job, JobStatus
from relais.core.workspaces.models import Workspace
from relais.crm.agenda.selectors import agenda_events
from relais.crm.campaigns.selectors import campaign_funnel, inbox
from relais.crm.dedup.selectors import candidate_list
from relais.crm.demo.platform import LIVE
from relais.crm.models import (
    Appointment,
    Campaign,
    CampaignChannel,
    CampaignMessage,
    CampaignStatus,
    DuplicateCandidate,
    Segment,
)
from relais.crm.segments.query import segment_queryset
from relais.training.demo import demo_load
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)  # the fixed clock of tests/conftest.py (a Sunday)
MONDAY = datetime.date(2025, 6, 9)
SALES_MODELS = (Segment, Campaign, CampaignMessage, Appointment, DuplicateCandidate)
SEGMENT_NAMES = {
    "Véhicules de plus de 4 ans sans passage atelier depuis 12 mois",
    "Prospects entrés ces 3 derniers mois",
    "Clients ayant accepté les e-mails",
}


def _load(replace=False):
    return demo_load(customers=300, template_customers=20, seed=2025, today=TODAY, replace=replace)


@pytest.fixture
def loaded(django_capture_on_commit_callbacks):
    # Nothing may be left queued for a worker: load_demo runs the jobs itself.
    with django_capture_on_commit_callbacks() as callbacks:
        _organization, _accounts, users = _load()
    assert callbacks == []
    return Workspace.objects.get(name=LIVE), users


def test_segments_are_saved_with_members(loaded):
    live, users = loaded
    segments = Segment.objects.in_workspace(live)
    assert set(segments.values_list("name", flat=True)) == SEGMENT_NAMES
    for segment in segments:
        assert segment.owner == users["superviseur"]
        assert segment_queryset(segment.definition, workspace=live).count() >= 20, segment.name


def test_an_email_campaign_is_sent_with_replies_and_an_sms_draft_waits(loaded):
    live, users = loaded
    email = Campaign.objects.in_workspace(live).get(channel=CampaignChannel.EMAIL)
    assert email.status == CampaignStatus.SENT
    assert email.segment.name.startswith("Véhicules de plus de 4 ans")
    assert email.clock == email.sent_at + datetime.timedelta(days=7)
    funnel = {row.key: row.count for row in campaign_funnel(campaign=email)}
    assert funnel["sent"] >= 20 and funnel["excluded"] > 0
    assert funnel["opened"] > 0 and funnel["replied"] > 0
    replies = inbox(user=users["agent"], workspace=live)
    assert replies.count() == funnel["replied"] and replies.filter(campaign=email).exists()
    job = Job.objects.get(public_id=email.job_public_id)
    assert job.status == JobStatus.SUCCEEDED and str(funnel["sent"]) in job.message

    sms = Campaign.objects.in_workspace(live).get(channel=CampaignChannel.SMS)
    assert sms.status == CampaignStatus.DRAFT and sms.sent_at is None
    assert "{{ prenom }}" in sms.body and "{{ concession }}" in sms.body
    assert not sms.recipients.exists()


def test_the_agenda_covers_this_week_and_the_next_with_a_weekly_meeting(loaded):
    live, users = loaded
    paris = timezone.get_default_timezone()
    manual = Appointment.objects.in_workspace(live).exclude(source="campaign")
    assert manual.count() == 11
    assert {a.owner.username for a in manual} == {"superviseur", "agent"}
    assert manual.filter(customer__isnull=False).count() >= 6
    assert all(a.customer.workspace_id == live.pk for a in manual.exclude(customer=None))
    for appointment in manual:
        start = appointment.starts_at.astimezone(paris)
        end = appointment.ends_at.astimezone(paris)
        assert MONDAY <= start.date() < MONDAY + datetime.timedelta(weeks=2)
        assert start.weekday() < 5 and start.hour >= 9 and end.hour < 19
    meeting = manual.get(recurrence="weekly")
    assert meeting.recurrence_count == 10 and meeting.owner == users["superviseur"]
    assert meeting.starts_at.astimezone(paris) == datetime.datetime(2025, 6, 9, 9, 0, tzinfo=paris)

    start = datetime.datetime(2025, 6, 9, tzinfo=paris)
    events = agenda_events(
        user=users["agent"],
        workspace=live,
        start=start,
        end=start + datetime.timedelta(weeks=2),
    )
    titles = [event["title"] for event in events]
    assert titles.count("Réunion d'équipe commerciale") == 2  # one a week
    assert sum(title.startswith("Essai routier") for title in titles) == 2


def test_the_duplicate_review_lists_candidate_pairs(loaded):
    live, users = loaded
    pairs = candidate_list(user=users["agent"], workspace=live)
    assert pairs.count() >= 1
    for pair in pairs:
        assert pair.customer_a.workspace_id == live.pk == pair.customer_b.workspace_id
    job = Job.objects.get(workspace=live, kind="crm.dedup.search")
    assert job.owner == users["agent"] and job.status == JobStatus.SUCCEEDED


def test_nothing_is_made_in_other_workspaces(other_workspace):
    CustomerFactory(workspace=other_workspace)
    _load()
    live = Workspace.objects.get(name=LIVE)
    for model in SALES_MODELS:
        assert not model.objects.exclude(workspace=live).exists(), model.__name__
    assert not Job.objects.exclude(workspace=live).filter(kind__startswith="crm.").exists()


def _snapshot(live) -> dict:
    return {
        "segments": sorted(Segment.objects.in_workspace(live).values_list("name", "definition")),
        "recipients": sorted(
            Campaign.objects.in_workspace(live)
            .filter(recipients__isnull=False)
            .values_list("recipients__customer__identity_key", "recipients__excluded_reason")
        ),
        "replies": sorted(
            CampaignMessage.objects.in_workspace(live).values_list(
                "customer__identity_key", "intent", "body"
            )
        ),
        "appointments": sorted(
            Appointment.objects.in_workspace(live).values_list(
                "title", "starts_at", "customer__identity_key", "owner__username"
            )
        ),
        "pairs": sorted(
            DuplicateCandidate.objects.in_workspace(live).values_list(
                "customer_a__identity_key", "customer_b__identity_key", "score"
            )
        ),
    }


def test_the_same_seed_gives_the_same_tools_and_replacing_does_not_pile_up():
    _load()
    first = _snapshot(Workspace.objects.get(name=LIVE))
    _load(replace=True)
    live = Workspace.objects.get(name=LIVE)
    assert _snapshot(live) == first
    assert Segment.objects.count() == 3 and Campaign.objects.count() == 2
    assert Appointment.objects.in_workspace(live).exclude(source="campaign").count() == 11
