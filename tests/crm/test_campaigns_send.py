"""Sending: frozen recipients, activities and follow-ups, interactions, the background job with
progress, then the simulated clock bringing replies, tasks, bookings and unsubscriptions."""

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Person
from relais.core.interactions.models import Interaction
from relais.core.jobs.models import Job, JobStatus
from relais.crm.campaigns import simulator
from relais.crm.campaigns.services import (
    campaign_clock_advance,
    campaign_clock_catch_up,
    campaign_create,
    campaign_send,
    campaign_update,
    message_handle,
    reaction_settings_save,
)
from relais.crm.models import (
    Activity,
    ActivityOutcome,
    Appointment,
    AppointmentSource,
    Campaign,
    CampaignMessage,
    CampaignRecipient,
    CampaignStatus,
    ExclusionReason,
)
from tests.crm.campaign_helpers import bulk_base, consenting_customer, segment

pytestmark = pytest.mark.django_db

EVERYONE_REACTS = {
    "delivered": 0.99,
    "opened": 0.99,
    "clicked": 0.5,
    "replied": 0.99,
    "booked": 0.5,
    "unsubscribed": 0.0,
}


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def _send(actor, campaign):
        with django_capture_on_commit_callbacks(execute=True):
            job = campaign_send(actor=actor, campaign=campaign)
        campaign.refresh_from_db()
        job.refresh_from_db()
        return job

    return _send


def _campaign(agent, workspace, channel="email", **extra):
    return campaign_create(
        actor=agent,
        workspace=workspace,
        name="Révision d'été",
        channel=channel,
        segment=segment(workspace),
        subject="{{ prenom }}, votre révision",
        body="Bonjour {{ civilite }} {{ nom }}, votre {{ vehicule }} attend sa révision.",
        **extra,
    )


def test_sending_freezes_recipients_logs_activities_and_follow_ups(agent, workspace, send):
    included = consenting_customer(workspace, person__last_name="Martin", person__first_name="Léa")
    consenting_customer(workspace, person__last_name="Refus", person__consent_email=False)
    campaign = _campaign(agent, workspace, follow_up_days=10)
    job = send(agent, campaign)

    assert campaign.status == CampaignStatus.SENT
    assert campaign.sent_by == agent and campaign.clock == campaign.sent_at
    assert job.status == JobStatus.SUCCEEDED and job.total == job.done == 1
    assert job.message == "1 message envoyé (simulation)."
    recipients = {r.customer.person.last_name: r for r in CampaignRecipient.objects.all()}
    assert recipients["Refus"].excluded_reason == ExclusionReason.NO_CONSENT
    assert recipients["Refus"].activity is None
    sent = recipients["Martin"]
    assert sent.subject == "Léa, votre révision"
    assert sent.body == "Bonjour Madame Martin, votre  attend sa révision."
    assert sent.address == included.person.email

    activity = Activity.objects.get(customer=included)
    assert sent.activity == activity
    assert activity.kind == "email" and activity.direction == "out"
    assert activity.subject == "Campagne « Révision d'été » : Léa, votre révision"
    assert activity.owner == agent
    assert activity.outcome == ActivityOutcome.DONE
    assert activity.next_follow_up_on == datetime.date(2025, 6, 25)
    interaction = Interaction.objects.get(person=included.person)
    assert (interaction.channel, interaction.direction) == ("email", "out")
    assert interaction.source == activity
    assert interaction.event_code == "crm.campaign.message.sent"
    assert interaction.case_key == f"crm.campaign:{campaign.public_id}"
    assert interaction.outcome == "done"
    assert AuditEntry.objects.filter(action="campaign.send").count() == 1


@pytest.mark.parametrize(("channel", "kind"), [("letter", "letter"), ("sms", "sms")])
def test_activity_kind_follows_the_channel(agent, workspace, send, channel, kind):
    customer = consenting_customer(workspace)
    send(agent, _campaign(agent, workspace, channel=channel))
    assert Activity.objects.get(customer=customer).kind == kind


def test_a_sent_campaign_cannot_change_or_leave_twice(agent, workspace, send):
    consenting_customer(workspace)
    campaign = _campaign(agent, workspace)
    send(agent, campaign)
    with pytest.raises(ValidationError):
        campaign_update(actor=agent, campaign=campaign, data={"body": "Autre"})
    with pytest.raises(ValidationError):
        campaign_send(actor=agent, campaign=campaign)
    assert CampaignRecipient.objects.count() == 1


def test_sending_with_nobody_reachable_is_refused(agent, workspace):
    consenting_customer(workspace, person__consent_email=False)
    campaign = _campaign(agent, workspace)
    with pytest.raises(ValidationError, match="Aucun destinataire"):
        campaign_send(actor=agent, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert not CampaignRecipient.objects.exists()


def test_an_empty_message_cannot_leave(agent, workspace):
    consenting_customer(workspace)
    campaign = campaign_create(
        actor=agent, workspace=workspace, name="Vide", channel="email", segment=segment(workspace)
    )
    with pytest.raises(ValidationError) as error:
        campaign_send(actor=agent, campaign=campaign)
    assert set(error.value.message_dict) == {"subject", "body"}


def test_unknown_merge_field_is_refused_on_create(agent, workspace):
    with pytest.raises(ValidationError) as error:
        campaign_create(
            actor=agent,
            workspace=workspace,
            name="X",
            channel="sms",
            segment=segment(workspace),
            body="Bonjour {{ prénom }}",
        )
    assert "Champ de fusion inconnu" in error.value.message_dict["body"][0]


def _reacting_campaign(agent, workspace, send, count=30, channel="email"):
    customers = [
        consenting_customer(workspace, person__last_name=f"Client{i:02d}") for i in range(count)
    ]
    campaign = _campaign(agent, workspace, channel=channel)
    reaction_settings_save(
        actor=agent,
        workspace=workspace,
        channel=channel,
        campaign=campaign,
        values=EVERYONE_REACTS,
    )
    send(agent, campaign)
    return campaign, customers


def test_advancing_the_clock_brings_replies_into_the_inbox_history_and_tasks(
    agent, workspace, send
):
    campaign, customers = _reacting_campaign(agent, workspace, send)
    assert not CampaignMessage.objects.exists()
    before = Activity.objects.count()
    applied = campaign_clock_advance(actor=agent, campaign=campaign, days=7)
    applied += campaign_clock_advance(actor=agent, campaign=campaign, days=30)
    campaign.refresh_from_db()
    assert campaign.clock == campaign.sent_at + datetime.timedelta(days=37)
    assert applied == campaign.events.count()  # every drawn reaction has happened

    messages = list(CampaignMessage.objects.select_related("activity", "task", "appointment"))
    assert len(messages) > len(customers) * 0.3
    replied = CampaignRecipient.objects.filter(replied=True).count()
    assert replied == len(messages)
    for message in messages:
        assert message.body in simulator.REPLY_TEXTS[message.intent]
        assert not message.is_read and message.handled_at is None
        assert message.activity.direction == "in"
        assert message.activity.customer == message.customer
        assert message.activity.occurred_at == message.received_at
        assert message.task.outcome == ActivityOutcome.PLANNED
        assert message.task.next_follow_up_on == timezone.localdate(
            message.received_at
        ) + datetime.timedelta(days=1)
        of_activities = Interaction.objects.filter(source_type__model="activity")
        reply = of_activities.get(source_id=message.activity.pk, direction="in")
        task = of_activities.get(source_id=message.task.pk)
        assert (reply.event_code, task.event_code) == (
            "crm.campaign.reply.received",
            "crm.activity.logged",
        )
        assert reply.case_key == task.case_key == f"crm.campaign:{campaign.public_id}"
    assert Activity.objects.count() == before + 2 * len(messages)

    booked = [m for m in messages if m.intent == "booking"]
    assert booked, "with 50 % booking, some recipients book"
    for message in booked:
        appointment = message.appointment
        assert appointment.source == AppointmentSource.CAMPAIGN
        assert appointment.customer == message.customer
        assert appointment.starts_at > message.received_at
        assert appointment.starts_at.weekday() != 6
    assert Appointment.objects.count() == len(booked)
    assert CampaignRecipient.objects.filter(booked=True).count() == len(booked)


def test_replies_only_arrive_when_their_time_has_come(agent, workspace, send):
    campaign, _customers = _reacting_campaign(agent, workspace, send)
    campaign_clock_advance(actor=agent, campaign=campaign, days=1)
    campaign.refresh_from_db()
    for message in CampaignMessage.objects.all():
        assert message.received_at <= campaign.clock
    pending = campaign.events.filter(applied_at__isnull=True)
    assert all(e.occurs_at > campaign.clock for e in pending)
    # Advancing again never applies an event twice.
    total = campaign.events.count()
    campaign_clock_advance(actor=agent, campaign=campaign, days=30)
    campaign_clock_advance(actor=agent, campaign=campaign, days=30)
    assert CampaignMessage.objects.count() == CampaignRecipient.objects.filter(replied=True).count()
    assert campaign.events.filter(applied_at__isnull=False).count() == total


def test_clock_refuses_out_of_range_days_and_drafts(agent, workspace, send):
    consenting_customer(workspace)
    draft = _campaign(agent, workspace)
    with pytest.raises(ValidationError):
        campaign_clock_advance(actor=agent, campaign=draft, days=1)
    send(agent, draft)
    with pytest.raises(ValidationError):
        campaign_clock_advance(actor=agent, campaign=draft, days=0)
    with pytest.raises(ValidationError):
        campaign_clock_advance(actor=agent, campaign=draft, days=1000)


def test_real_time_catches_up(agent, workspace, send, fixed_clock):
    campaign, _customers = _reacting_campaign(agent, workspace, send)
    fixed_clock.shift(datetime.timedelta(days=40))
    assert campaign_clock_catch_up() == campaign.events.count()
    campaign.refresh_from_db()
    assert campaign.events.filter(applied_at__isnull=True).count() == 0


def test_unsubscribing_clears_that_channel_consent_with_an_audit_entry(agent, workspace, send):
    customers = [consenting_customer(workspace, person__last_name=f"U{i}") for i in range(5)]
    campaign = _campaign(agent, workspace, channel="sms")
    reaction_settings_save(
        actor=agent,
        workspace=workspace,
        channel="sms",
        campaign=campaign,
        values={**EVERYONE_REACTS, "unsubscribed": 0.99},
    )
    send(agent, campaign)
    campaign_clock_advance(actor=agent, campaign=campaign, days=30)
    unsubscribed = CampaignRecipient.objects.filter(unsubscribed=True)
    assert unsubscribed.count() == 5
    for person in Person.objects.filter(pk__in=[c.person_id for c in customers]):
        assert person.consent_sms is False
        assert person.consent_email is True and person.consent_mail is True
    entries = AuditEntry.objects.filter(action="contact.unsubscribe")
    assert entries.count() == 5
    assert entries.first().after["consent_sms"] is False
    # The next SMS campaign excludes them as unsubscribed.
    from relais.crm.campaigns.services import campaign_audience

    audience = campaign_audience(_campaign(agent, workspace, channel="sms"))
    assert audience.reasons == [(ExclusionReason.UNSUBSCRIBED, 5)]


def test_handling_a_reply(agent, workspace, send):
    campaign, _customers = _reacting_campaign(agent, workspace, send, count=5)
    campaign_clock_advance(actor=agent, campaign=campaign, days=30)
    message = CampaignMessage.objects.first()
    message_handle(actor=agent, message=message)
    message.refresh_from_db()
    assert message.is_read and message.handled_by == agent and message.handled_at
    message_handle(actor=agent, message=message, handled=False)
    message.refresh_from_db()
    assert message.handled_at is None and message.handled_by is None


def test_two_thousand_recipients_in_the_background_with_progress(
    agent, workspace, send, django_assert_max_num_queries
):
    bulk_base(workspace, 2000)
    campaign = _campaign(agent, workspace, channel="sms")
    started = time.perf_counter()
    # Queries do not grow with recipients: a handful per batch of 500.
    # Queries grow with batches, not recipients: bulk inserts (SQLite splits them by its
    # parameter limit), a few reads per batch of 500, ~50 progress updates at most.
    with django_assert_max_num_queries(300):
        job = send(agent, campaign)
    elapsed = time.perf_counter() - started
    assert job.status == JobStatus.SUCCEEDED
    assert (job.total, job.done) == (2000, 2000)
    assert Activity.objects.filter(kind="sms").count() == 2000
    assert Interaction.objects.filter(channel="sms").count() == 2000
    assert elapsed < 30, f"2,000 recipients took {elapsed:.1f} s"
    started = time.perf_counter()
    campaign_clock_advance(actor=agent, campaign=campaign, days=30)
    assert time.perf_counter() - started < 30
    assert CampaignRecipient.objects.filter(delivered=True).count() > 1800


def test_the_job_belongs_to_the_sender(agent, workspace, send):
    consenting_customer(workspace)
    campaign = _campaign(agent, workspace)
    job = send(agent, campaign)
    assert job.owner == agent and job.workspace == workspace and job.kind == "crm.campaign_send"
    assert Campaign.objects.get(pk=campaign.pk).job_public_id == job.public_id
    assert Job.objects.count() == 1


def test_an_interrupted_send_resumes_without_sending_twice(
    agent, workspace, django_capture_on_commit_callbacks
):
    from relais.crm.campaigns.services import campaign_process, campaign_send_resume

    for _ in range(3):
        consenting_customer(workspace)
    campaign = _campaign(agent, workspace)
    job = campaign_send(actor=agent, campaign=campaign)  # the worker never ran it
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    with pytest.raises(ValidationError, match="déjà en cours"):
        campaign_send_resume(actor=agent, campaign=campaign)
    # Half-way through, the worker died: one recipient was processed.
    first = CampaignRecipient.objects.order_by("id").first()
    from relais.crm.campaigns import services

    services._process_batch(campaign, [first], base=simulator.DEFAULT_PROBABILITIES["email"])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        resumed = campaign_send_resume(actor=agent, campaign=campaign)
    resumed.refresh_from_db()
    campaign.refresh_from_db()
    assert resumed.status == JobStatus.SUCCEEDED and resumed.total == 2
    assert campaign.status == CampaignStatus.SENT
    assert Activity.objects.filter(kind="email").count() == 3
    with pytest.raises(ValidationError):
        campaign_send_resume(actor=agent, campaign=campaign)
    assert campaign_process(campaign=campaign) == 0


def test_a_cancelled_send_can_be_resumed(
    agent, agent_client, workspace, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from relais.core.jobs.services import job_cancel
    from relais.crm.campaigns.services import campaign_send_resume

    for _ in range(2):
        consenting_customer(workspace)
    campaign = _campaign(agent, workspace)
    job = campaign_send(actor=agent, campaign=campaign)  # queued, not run yet
    assert job_cancel(actor=agent, job=job).status == JobStatus.CANCELLED
    page = agent_client.get(reverse("crm:campaign-detail", args=[campaign.public_id]))
    assert reverse("crm:campaign-resume", args=[campaign.public_id]) in page.content.decode()
    campaign.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        resumed = campaign_send_resume(actor=agent, campaign=campaign)
    resumed.refresh_from_db()
    campaign.refresh_from_db()
    assert resumed.status == JobStatus.SUCCEEDED and resumed.total == 2
    assert campaign.status == CampaignStatus.SENT


def test_bookings_always_have_an_owner_who_gets_them_in_the_ics(
    agent, supervisor, workspace, send, client
):
    """The sender left the workspace before the replies came: each booking goes to the
    customer's account manager, and reaches their .ics."""
    from django.urls import reverse

    from relais.core.workspaces.models import Membership
    from relais.crm.models import Customer

    campaign, customers = _reacting_campaign(agent, workspace, send)
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(owner=supervisor)
    Membership.objects.filter(user=agent, workspace=workspace).delete()
    campaign_clock_advance(actor=supervisor, campaign=campaign, days=37)
    booked = list(Appointment.objects.filter(source=AppointmentSource.CAMPAIGN))
    assert booked
    assert {appointment.owner for appointment in booked} == {supervisor}
    client.force_login(supervisor)
    ics = client.get(reverse("crm:agenda-ics")).content.decode()
    assert ics.count("BEGIN:VEVENT") == len(booked)


def test_bookings_of_a_sender_still_in_place_are_theirs(agent, workspace, send):
    campaign, _customers = _reacting_campaign(agent, workspace, send)
    campaign_clock_advance(actor=agent, campaign=campaign, days=37)
    booked = Appointment.objects.filter(source=AppointmentSource.CAMPAIGN)
    assert booked.exists()
    assert set(booked.values_list("owner", flat=True)) == {agent.pk}
