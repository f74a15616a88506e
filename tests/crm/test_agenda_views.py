"""The agenda through HTTP: page, feed, create, drop, move, resize, edit, cancel, delete,
iCalendar export, and workspace isolation."""

import datetime
import zoneinfo

import dateutil.rrule
import icalendar
import pytest
from django.urls import reverse

from relais.core.audit.models import AuditEntry
from relais.core.interactions.models import Interaction
from relais.crm.agenda.services import appointment_create
from relais.crm.models import Appointment
from tests.factories import ActivityFactory, CustomerFactory, UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(y, m, d, h=10, mi=0):
    return datetime.datetime(y, m, d, h, mi, tzinfo=PARIS)


@pytest.fixture
def customer(workspace):
    return CustomerFactory(
        workspace=workspace, person__first_name="Lucie", person__last_name="Martin"
    )


@pytest.fixture
def appointment(workspace, agent, customer):
    return appointment_create(
        actor=agent,
        workspace=workspace,
        title="Essai Clio",
        starts_at=at(2025, 6, 17, 10),
        ends_at=at(2025, 6, 17, 11),
        customer=customer,
    )


@pytest.fixture
def series(workspace, agent):
    return appointment_create(
        actor=agent,
        workspace=workspace,
        title="Réunion d'équipe",
        starts_at=at(2025, 6, 2, 9),
        ends_at=at(2025, 6, 2, 9, 30),
        recurrence="weekly",
        recurrence_count=6,
    )


def feed(client, start="2025-06-01", end="2025-07-06", **params):
    response = client.get(reverse("crm:agenda-events"), {"start": start, "end": end, **params})
    assert response.status_code == 200, response.content
    return response.json()


def appointment_events(events):
    return [e for e in events if e["extendedProps"]["kind"] == "appointment"]


@pytest.mark.django_db
class TestAgendaPage:
    def test_the_page_sets_up_the_calendar(self, agent_client, customer):
        response = agent_client.get(reverse("crm:agenda"))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="agenda-config"' in html
        assert "vendor/fullcalendar/index.global.min.js" in html
        assert "Lucie MARTIN" in html
        assert f"?customer={customer.public_id}" in html  # the "Planifier" keyboard path
        assert 'aria-current="page"' in html

    def test_customer_search_fragment(self, agent_client, customer, workspace):
        CustomerFactory(workspace=workspace, person__last_name="Bernard")
        url = reverse("crm:agenda-customers")
        response = agent_client.get(url, {"q": "martin"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "Lucie MARTIN" in html and "BERNARD" not in html
        assert "1 client" in html
        assert (
            agent_client.get(url, {"q": "zzz"}, HTTP_HX_REQUEST="true")
            .content.decode()
            .count("Aucun client ne correspond")
        )
        # Without HTMX, the fragment is never served as a page.
        assert agent_client.get(url, {"q": "martin"}).status_code == 302

    def test_anonymous_users_are_sent_to_login(self, client):
        assert client.get(reverse("crm:agenda")).status_code == 302
        assert client.get(reverse("crm:agenda-events")).status_code == 302


@pytest.mark.django_db
class TestFeed:
    def test_occurrences_and_follow_ups(self, agent_client, appointment, series, customer):
        activity = ActivityFactory(
            customer=customer,
            subject="Rappeler pour l'offre",
            next_follow_up_on=datetime.date(2025, 6, 20),
        )
        events = feed(agent_client)
        single = [e for e in appointment_events(events) if e["title"] == "Essai Clio"]
        assert single[0]["start"] == "2025-06-17T10:00:00+02:00"
        assert single[0]["extendedProps"]["customer"] == "Lucie MARTIN"
        assert single[0]["url"] == reverse("crm:appointment-detail", args=[appointment.public_id])
        weekly = [e for e in appointment_events(events) if e["title"] == "Réunion d'équipe"]
        assert [e["start"][:10] for e in weekly] == [
            "2025-06-02", "2025-06-09", "2025-06-16", "2025-06-23", "2025-06-30"
        ]  # fmt: skip
        assert weekly[1]["url"].endswith("?occurrence=2025-06-09")
        follow_ups = [e for e in events if e["extendedProps"]["kind"] == "follow_up"]
        assert follow_ups == [
            {
                "id": f"relance-{activity.public_id}",
                "title": "Relance : Lucie MARTIN — Rappeler pour l'offre",
                "start": "2025-06-20",
                "allDay": True,
                "url": reverse("crm:activity-edit", args=[activity.public_id]),
                "editable": False,
                "classNames": ["relais-follow-up"],
                "extendedProps": {"kind": "follow_up", "customer": "Lucie MARTIN"},
            }
        ]

    def test_the_feed_runs_a_bounded_number_of_queries(
        self, agent_client, agent, workspace, django_assert_max_num_queries
    ):
        for day in range(2, 22):
            customer = CustomerFactory(workspace=workspace)
            appointment_create(
                actor=agent, workspace=workspace, title=f"RDV {day}", customer=customer,
                starts_at=at(2025, 6, day), ends_at=at(2025, 6, day, 11),
                recurrence="daily" if day % 2 else "", recurrence_count=3 if day % 2 else None,
            )  # fmt: skip
            ActivityFactory(customer=customer, next_follow_up_on=datetime.date(2025, 6, day))
        with django_assert_max_num_queries(12):
            events = feed(agent_client)
        assert len(appointment_events(events)) == 10 + 10 * 3

    def test_mine_only(self, agent_client, workspace, supervisor, appointment):
        appointment_create(
            actor=supervisor, workspace=workspace, title="RDV du chef",
            starts_at=at(2025, 6, 18), ends_at=at(2025, 6, 18, 11),
        )  # fmt: skip
        assert {e["title"] for e in appointment_events(feed(agent_client))} == {
            "Essai Clio", "RDV du chef"
        }  # fmt: skip
        mine = appointment_events(feed(agent_client, mine="1"))
        assert [e["title"] for e in mine] == ["Essai Clio"]

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"end": "2025-07-01"}, "Ce champ est obligatoire."),
            ({"start": "hier", "end": "2025-07-01"}, "« hier » n'est pas une date valide."),
            ({"start": "2025-07-01", "end": "2025-06-01"}, "La fin de la période doit suivre"),
            ({"start": "2020-01-01", "end": "2025-01-01"}, "trop longue (400 jours au plus)"),
            ({"start": "9999-12-31", "end": "9999-12-31T23:00"}, "comprise entre 1900 et 2200"),
            ({"start": "x" * 5000, "end": "2025-01-01"}, "Date trop longue."),
        ],
    )
    def test_bad_periods_are_refused_in_french(self, agent_client, params, message):
        response = agent_client.get(reverse("crm:agenda-events"), params)
        assert response.status_code == 400
        assert message in response.json()["error"]


@pytest.mark.django_db
class TestCreate:
    def test_the_slot_clicked_prefills_the_form(self, agent_client):
        response = agent_client.get(
            reverse("crm:appointment-create"),
            {"start": "2025-06-18T14:30:00+02:00", "end": "2025-06-18T15:00:00+02:00"},
        )
        html = response.content.decode()
        assert 'value="2025-06-18T14:30"' in html and 'value="2025-06-18T15:00"' in html

    def test_planifier_prefills_the_customer(self, agent_client, customer):
        response = agent_client.get(
            reverse("crm:appointment-create"), {"customer": str(customer.public_id)}
        )
        html = response.content.decode()
        assert "Rendez-vous avec Lucie MARTIN" in html
        assert f'value="{customer.public_id}"' in html

    def test_create_a_weekly_appointment_with_a_customer(self, agent_client, agent, customer):
        response = agent_client.post(
            reverse("crm:appointment-create"),
            {
                "title": "Suivi du dossier",
                "customer": str(customer.public_id),
                "starts_at": "2025-06-18T14:00",
                "ends_at": "2025-06-18T15:00",
                "location": "Showroom",
                "recurrence": "weekly",
                "recurrence_interval": "2",
                "recurrence_count": "3",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("crm:agenda") + "?date=2025-06-18"
        appointment = Appointment.objects.get()
        assert (appointment.owner, appointment.customer, appointment.source) == (
            agent, customer, "customer"
        )  # fmt: skip
        assert appointment.starts_at == at(2025, 6, 18, 14)
        assert (appointment.recurrence_interval, appointment.recurrence_count) == (2, 3)
        interaction = Interaction.objects.get()
        assert (interaction.channel, interaction.topic) == ("appointment", "Suivi du dossier")
        assert interaction.person == customer.person

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            (
                {"ends_at": "2025-06-18T13:00"},
                "La fin du rendez-vous doit être postérieure à son début.",
            ),
            (
                {"recurrence": "weekly", "recurrence_count": "3", "recurrence_until": "2025-07-30"},
                "Choisissez une date de fin ou un nombre d&#x27;occurrences, pas les deux.",
            ),
            ({"title": ""}, "Ce champ est obligatoire."),
            ({"starts_at": "demain"}, "Saisissez une date et une heure valides."),
            ({"recurrence_count": "4"}, "Choisissez une répétition ou videz ses limites."),
        ],
    )
    def test_validation_errors_in_french(self, agent_client, changes, message):
        data = {"title": "RDV", "starts_at": "2025-06-18T14:00", "ends_at": "2025-06-18T15:00"}
        response = agent_client.post(reverse("crm:appointment-create"), {**data, **changes})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert 'aria-invalid="true"' in response.content.decode()
        assert not Appointment.objects.exists()

    def test_script_in_the_title_is_escaped(self, agent_client, appointment):
        Appointment.objects.filter(pk=appointment.pk).update(title="<script>alert(1)</script>")
        html = agent_client.get(
            reverse("crm:appointment-detail", args=[appointment.public_id])
        ).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html

    def test_a_learner_without_edit_right_cannot_create(self, client, workspace):
        # "member" is no CRM role: it holds no CRM permission.
        viewer = UserFactory(
            role="member", workspaces=[workspace], organization=workspace.organization
        )
        client.force_login(viewer)
        response = client.post(reverse("crm:appointment-create"), {"title": "x"})
        assert response.status_code == 403
        assert not Appointment.objects.exists()


@pytest.mark.django_db
class TestDrop:
    def test_dropping_a_customer_creates_a_one_hour_appointment(self, agent_client, customer):
        response = agent_client.post(
            reverse("crm:appointment-drop"),
            {"customer": str(customer.public_id), "start": "2025-06-19T09:30:00+02:00"},
        )
        assert response.status_code == 201
        assert (
            response.json()["message"]
            == "Rendez-vous créé avec Lucie MARTIN le 19/06/2025 à 09:30."
        )
        appointment = Appointment.objects.get()
        assert appointment.title == "Rendez-vous avec Lucie MARTIN"
        assert (appointment.starts_at, appointment.ends_at) == (
            at(2025, 6, 19, 9, 30), at(2025, 6, 19, 10, 30)
        )  # fmt: skip
        assert appointment.customer == customer
        assert Interaction.objects.filter(channel="appointment").count() == 1

    def test_dropping_on_a_day_creates_an_all_day_appointment(self, agent_client, customer):
        agent_client.post(
            reverse("crm:appointment-drop"),
            {"customer": str(customer.public_id), "start": "2025-06-19", "all_day": "1"},
        )
        appointment = Appointment.objects.get()
        assert appointment.all_day and appointment.starts_at == at(2025, 6, 19, 0)

    def test_a_far_off_date_is_refused(self, agent_client, customer):
        response = agent_client.post(
            reverse("crm:appointment-drop"),
            {"customer": str(customer.public_id), "start": "9999-12-31T23:30"},
        )
        assert response.status_code == 400
        assert "comprise entre 1900 et 2200" in response.json()["error"]
        assert not Appointment.objects.exists()

    def test_an_unknown_customer_is_refused(self, agent_client):
        response = agent_client.post(
            reverse("crm:appointment-drop"),
            {"customer": "00000000-0000-0000-0000-000000000000", "start": "2025-06-19T09:30"},
        )
        assert response.status_code == 400
        assert response.json()["error"] == "Ce client est introuvable."


@pytest.mark.django_db
class TestMove:
    def move(self, client, appointment, **data):
        return client.post(reverse("crm:appointment-move", args=[appointment.public_id]), data)

    def test_move_and_resize(self, agent_client, appointment):
        response = self.move(
            agent_client, appointment, occurrence="2025-06-17",
            start="2025-06-18T15:00:00+02:00", end="2025-06-18T16:00:00+02:00",
        )  # fmt: skip
        assert response.status_code == 200
        assert response.json()["message"] == "« Essai Clio » est déplacé au 18/06/2025 à 15:00."
        appointment.refresh_from_db()
        assert (appointment.starts_at, appointment.ends_at) == (
            at(2025, 6, 18, 15),
            at(2025, 6, 18, 16),
        )
        # The customer's history follows.
        assert Interaction.objects.get().started_at == at(2025, 6, 18, 15)
        self.move(
            agent_client, appointment, occurrence="2025-06-18",
            start="2025-06-18T15:00:00+02:00", end="2025-06-18T17:30:00+02:00",
        )  # fmt: skip
        appointment.refresh_from_db()
        assert appointment.ends_at == at(2025, 6, 18, 17, 30)

    def test_move_into_the_all_day_row(self, agent_client, appointment):
        self.move(agent_client, appointment, start="2025-06-20", end="2025-06-21", all_day="1")
        appointment.refresh_from_db()
        assert appointment.all_day
        assert (appointment.starts_at, appointment.ends_at) == (
            at(2025, 6, 20, 0),
            at(2025, 6, 20, 0),
        )

    def test_a_bad_move_is_refused_and_changes_nothing(self, agent_client, appointment):
        response = self.move(
            agent_client,
            appointment,
            start="2025-06-18T15:00:00+02:00",
            end="2025-06-18T14:00:00+02:00",
        )
        assert response.status_code == 400
        assert "postérieure à son début" in response.json()["error"]
        appointment.refresh_from_db()
        assert appointment.starts_at == at(2025, 6, 17, 10)

    def test_one_occurrence_of_a_series(self, agent_client, series):
        response = self.move(
            agent_client, series, occurrence="2025-06-16", scope="occurrence",
            start="2025-06-17T11:00:00+02:00", end="2025-06-17T11:30:00+02:00",
        )  # fmt: skip
        assert response.status_code == 200
        series.refresh_from_db()
        assert series.recurrence_exceptions == ["2025-06-16"]
        detached = Appointment.objects.exclude(pk=series.pk).get()
        assert detached.starts_at == at(2025, 6, 17, 11) and not detached.recurrence
        starts = sorted(e["start"] for e in appointment_events(feed(agent_client)))
        assert "2025-06-16T09:00:00+02:00" not in starts
        assert "2025-06-17T11:00:00+02:00" in starts

    def test_the_whole_series(self, agent_client, series):
        self.move(
            agent_client, series, occurrence="2025-06-16", scope="series",
            start="2025-06-16T10:00:00+02:00", end="2025-06-16T10:30:00+02:00",
        )  # fmt: skip
        series.refresh_from_db()
        assert series.starts_at == at(2025, 6, 2, 10)
        assert Appointment.objects.count() == 1

    def test_a_series_needs_an_existing_occurrence(self, agent_client, series):
        response = self.move(
            agent_client, series, occurrence="2025-06-17", scope="series",
            start="2025-06-17T10:00:00+02:00", end="2025-06-17T10:30:00+02:00",
        )  # fmt: skip
        assert response.status_code == 400
        assert response.json()["error"] == "Ce rendez-vous n'a pas d'occurrence le 17/06/2025."


@pytest.mark.django_db
class TestPages:
    def test_edit_page_changes_the_date(self, agent_client, appointment):
        url = reverse("crm:appointment-edit", args=[appointment.public_id])
        html = agent_client.get(url).content.decode()
        assert 'value="2025-06-17T10:00"' in html
        response = agent_client.post(
            url,
            {
                "title": "Essai Clio",
                "customer": str(appointment.customer.public_id),
                "starts_at": "2025-06-24T16:00",
                "ends_at": "2025-06-24T17:00",
            },
        )
        assert response.status_code == 302
        appointment.refresh_from_db()
        assert appointment.starts_at == at(2025, 6, 24, 16)

    def test_edit_one_occurrence_asks_the_scope(self, agent_client, series):
        url = reverse("crm:appointment-edit", args=[series.public_id]) + "?occurrence=2025-06-09"
        html = agent_client.get(url).content.decode()
        assert "Cette occurrence" in html and "Toute la série" in html
        assert 'value="2025-06-09T09:00"' in html
        data = {
            "title": "Réunion déplacée",
            "starts_at": "2025-06-10T09:00",
            "ends_at": "2025-06-10T09:30",
            "recurrence": "weekly",
            "recurrence_interval": "1",
            "recurrence_count": "6",
            "occurrence": "2025-06-09",
        }
        response = agent_client.post(url, data)
        assert "Ce champ est obligatoire." in response.content.decode()  # the scope
        agent_client.post(url, {**data, "scope": "occurrence"})
        series.refresh_from_db()
        assert series.title == "Réunion d'équipe"
        assert series.recurrence_exceptions == ["2025-06-09"]
        assert Appointment.objects.get(title="Réunion déplacée").starts_at == at(2025, 6, 10, 9)

    def test_edit_the_whole_series_from_one_occurrence(self, agent_client, series):
        url = reverse("crm:appointment-edit", args=[series.public_id]) + "?occurrence=2025-06-09"
        agent_client.post(
            url,
            {
                "title": "Réunion du mardi",
                "starts_at": "2025-06-10T09:00",
                "ends_at": "2025-06-10T10:00",
                "recurrence": "weekly",
                "recurrence_interval": "1",
                "recurrence_count": "6",
                "occurrence": "2025-06-09",
                "scope": "series",
            },
        )
        series.refresh_from_db()
        assert series.title == "Réunion du mardi"
        assert (series.starts_at, series.ends_at) == (at(2025, 6, 3, 9), at(2025, 6, 3, 10))

    def test_detail_and_cancel_one_occurrence(self, agent_client, series):
        detail = agent_client.get(
            reverse("crm:appointment-detail", args=[series.public_id]), {"occurrence": "2025-06-23"}
        ).content.decode()
        assert "Annuler cette occurrence" in detail and "6 occurrences" in detail
        url = reverse("crm:appointment-cancel-occurrence", args=[series.public_id])
        page = agent_client.get(url, {"occurrence": "2025-06-23"}).content.decode()
        assert "les autres occurrences de la série ne changent pas" in page
        response = agent_client.post(url, {"occurrence": "2025-06-23"}, follow=True)
        assert "L&#x27;occurrence du 23/06/2025 est annulée" in response.content.decode()
        series.refresh_from_db()
        assert series.recurrence_exceptions == ["2025-06-23"]

    def test_delete_with_confirmation(self, agent_client, appointment):
        url = reverse("crm:appointment-delete", args=[appointment.public_id])
        page = agent_client.get(url).content.decode()
        assert "Supprimer définitivement" in page and "historique du client" in page
        assert Appointment.objects.exists()
        response = agent_client.post(url)
        assert response.status_code == 302
        assert not Appointment.objects.exists()
        # The history keeps the touchpoint, unlinked from the deleted appointment.
        assert Interaction.objects.get().source_id is None
        assert AuditEntry.objects.filter(action="appointment.delete").count() == 1

    def test_an_agent_cannot_delete_someone_elses_appointment(
        self, agent_client, workspace, supervisor
    ):
        theirs = appointment_create(
            actor=supervisor, workspace=workspace, title="RDV du chef",
            starts_at=at(2025, 6, 18), ends_at=at(2025, 6, 18, 11),
        )  # fmt: skip
        url = reverse("crm:appointment-delete", args=[theirs.public_id])
        assert (
            "Votre rôle ne permet de supprimer que vos propres"
            in agent_client.get(url).content.decode()
        )
        assert agent_client.post(url).status_code == 403
        assert Appointment.objects.filter(pk=theirs.pk).exists()

    def test_customer_page_offers_an_appointment(self, agent_client, customer):
        html = agent_client.get(
            reverse("crm:customer-detail", args=[customer.public_id])
        ).content.decode()
        assert "Prendre rendez-vous" in html
        assert reverse("crm:appointment-create") + f"?customer={customer.public_id}" in html


@pytest.mark.django_db
class TestIcs:
    def test_export_parses_with_rrule_exdate_and_times(
        self, agent_client, agent, workspace, series, appointment
    ):
        series.recurrence_exceptions = ["2025-06-16"]
        series.save()
        appointment_create(
            actor=agent, workspace=workspace, title="Salon", all_day=True,
            starts_at=at(2025, 9, 12, 0), ends_at=at(2025, 9, 13, 0),
            recurrence="monthly", recurrence_until=datetime.date(2025, 12, 31),
        )  # fmt: skip
        response = agent_client.get(reverse("crm:agenda-ics"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert "attachment" in response["Content-Disposition"]
        calendar = icalendar.Calendar.from_ical(response.content)
        events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
        assert set(events) == {"Réunion d'équipe", "Essai Clio", "Salon"}
        weekly = events["Réunion d'équipe"]
        assert weekly.decoded("dtstart") == at(2025, 6, 2, 9)
        assert weekly.decoded("dtend") == at(2025, 6, 2, 9, 30)
        assert str(weekly.decoded("dtstart").tzinfo) == "Europe/Paris"
        assert weekly["rrule"] == icalendar.vRecur({"FREQ": ["WEEKLY"], "COUNT": [6]})
        exdates = [d.dt for d in weekly["exdate"].dts]
        assert exdates == [at(2025, 6, 16, 9)]
        assert events["Essai Clio"]["description"] == "Client : Lucie MARTIN"
        assert "rrule" not in events["Essai Clio"]
        salon = events["Salon"]
        assert salon.decoded("dtstart") == datetime.date(2025, 9, 12)
        assert salon.decoded("dtend") == datetime.date(2025, 9, 14)
        assert salon["rrule"]["UNTIL"] == [datetime.date(2025, 12, 31)]
        assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Paris"
        # The occurrences a client computes match the agenda's.
        rule = dateutil.rrule.rrulestr(
            weekly["rrule"].to_ical().decode(), dtstart=weekly.decoded("dtstart")
        )
        kept = [d for d in rule if d not in exdates]
        assert len(kept) == 5

    def test_until_in_utc_for_timed_series(self, agent_client, agent, workspace):
        appointment_create(
            actor=agent, workspace=workspace, title="Point", starts_at=at(2025, 6, 2, 9),
            ends_at=at(2025, 6, 2, 10), recurrence="daily", recurrence_until=datetime.date(2025, 6, 6),
        )  # fmt: skip
        calendar = icalendar.Calendar.from_ical(agent_client.get(reverse("crm:agenda-ics")).content)
        until = calendar.walk("VEVENT")[0]["rrule"]["UNTIL"][0]
        assert until == datetime.datetime(2025, 6, 6, 21, 59, 59, tzinfo=datetime.UTC)

    def test_only_my_appointments_of_this_workspace(
        self, agent_client, workspace, supervisor, other_workspace, other_agent, appointment
    ):
        appointment_create(
            actor=supervisor, workspace=workspace, title="RDV du chef",
            starts_at=at(2025, 6, 18), ends_at=at(2025, 6, 18, 11),
        )  # fmt: skip
        appointment_create(
            actor=other_agent, workspace=other_workspace, title="RDV étranger",
            starts_at=at(2025, 6, 18), ends_at=at(2025, 6, 18, 11),
        )  # fmt: skip
        calendar = icalendar.Calendar.from_ical(agent_client.get(reverse("crm:agenda-ics")).content)
        assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Essai Clio"]


@pytest.mark.django_db
class TestIsolation:
    @pytest.fixture
    def foreign(self, other_workspace, other_agent):
        customer = CustomerFactory(workspace=other_workspace, person__last_name="Étranger")
        return appointment_create(
            actor=other_agent, workspace=other_workspace, title="RDV étranger",
            starts_at=at(2025, 6, 18), ends_at=at(2025, 6, 18, 11), customer=customer,
            recurrence="weekly",
        )  # fmt: skip

    def test_feed_and_side_list_never_show_another_workspace(self, agent_client, foreign):
        events = feed(agent_client)
        assert "RDV étranger" not in str(events)
        html = agent_client.get(reverse("crm:agenda"), {"q": "Étranger"}).content.decode()
        assert "ÉTRANGER" not in html

    def test_pages_and_actions_answer_not_found_and_change_nothing(self, agent_client, foreign):
        before = Appointment.objects.values_list("pk", "updated_at", "starts_at").get()
        kwargs = {"appointment_id": foreign.public_id}
        for name in (
            "appointment-detail",
            "appointment-edit",
            "appointment-delete",
            "appointment-cancel-occurrence",
        ):
            assert agent_client.get(reverse(f"crm:{name}", kwargs=kwargs)).status_code == 404
        moved = agent_client.post(
            reverse("crm:appointment-move", kwargs=kwargs),
            {"occurrence": "2025-06-18", "start": "2025-06-19T10:00", "end": "2025-06-19T11:00"},
        )
        assert moved.status_code == 404
        assert (
            agent_client.post(reverse("crm:appointment-delete", kwargs=kwargs)).status_code == 404
        )
        assert (
            agent_client.post(
                reverse("crm:appointment-cancel-occurrence", kwargs=kwargs),
                {"occurrence": "2025-06-18"},
            ).status_code
            == 404
        )
        assert (
            agent_client.post(
                reverse("crm:appointment-edit", kwargs=kwargs),
                {"title": "Pirate", "starts_at": "2025-06-19T10:00", "ends_at": "2025-06-19T11:00"},
            ).status_code
            == 404
        )
        assert Appointment.objects.values_list("pk", "updated_at", "starts_at").get() == before

    def test_another_workspaces_customer_cannot_be_booked(self, agent_client, foreign):
        stranger = foreign.customer
        for url, data in (
            (reverse("crm:appointment-drop"), {"customer": str(stranger.public_id), "start": "2025-06-19T10:00"}),
            (
                reverse("crm:appointment-create"),
                {"title": "x", "customer": str(stranger.public_id),
                 "starts_at": "2025-06-19T10:00", "ends_at": "2025-06-19T11:00"},
            ),
        ):  # fmt: skip
            response = agent_client.post(url, data)
            assert response.status_code in (200, 400)
            assert "Ce client est introuvable." in response.content.decode()
        assert Appointment.objects.count() == 1
        html = agent_client.get(
            reverse("crm:appointment-create"), {"customer": str(stranger.public_id)}
        ).content.decode()
        assert "ÉTRANGER" not in html

    def test_campaign_style_creation_without_actor_stays_in_its_workspace(
        self, workspace, other_workspace
    ):
        customer = CustomerFactory(workspace=workspace)
        booked = appointment_create(
            actor=None, workspace=workspace, title="Réservé par la campagne",
            starts_at=at(2025, 6, 20), ends_at=at(2025, 6, 20, 11), customer=customer,
            source="campaign",
        )  # fmt: skip
        assert booked.workspace == workspace
        assert not Appointment.objects.filter(workspace=other_workspace).exists()
        assert Interaction.objects.get().workspace == workspace
        stranger = CustomerFactory(workspace=other_workspace)
        with pytest.raises(Exception, match="n'appartient pas à cet espace"):
            appointment_create(
                actor=None, workspace=workspace, title="x", starts_at=at(2025, 6, 20),
                ends_at=at(2025, 6, 20, 11), customer=stranger,
            )  # fmt: skip
