"""The agenda in a real browser: drag a customer from the side list onto a slot, then move
the appointment by dragging it; the keyboard path ("Planifier", the appointment's pages);
axe-core on every page on the way."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.core.workspaces.models import Workspace
from relais.crm.agenda.services import appointment_create
from relais.crm.models import Appointment
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    OrganizationFactory,
    UserFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.e2e

# A day of next week, seen in the week view that opens on it.
DAY = datetime.date.today() + datetime.timedelta(days=7)


@pytest.fixture
def seller(transactional_db):
    organization = OrganizationFactory(name="Garage Martin", slug="garage-martin")
    workspace = WorkspaceFactory(organization=organization, name="Concession de Nantes")
    lucie = CustomerFactory(
        workspace=workspace, person__first_name="Lucie", person__last_name="Martin"
    )
    ActivityFactory(customer=lucie, subject="Rappeler", next_follow_up_on=DAY)
    CustomerFactory(workspace=workspace, person__first_name="Paul", person__last_name="Bernard")
    return UserFactory(
        username="vendeur", role=Role.AGENT, organization=organization, workspaces=[workspace]
    )


def slot_point(page, hour: str):
    """The centre of the week view's cell for ``DAY`` at ``hour`` (``"10:00:00"``), scrolled
    into view first (slots are tall enough for wrapped titles, so the hour may be below)."""
    lane = page.locator(f"td.fc-timegrid-slot-lane[data-time='{hour}']")
    lane.scroll_into_view_if_needed()
    column = page.locator(f"td.fc-timegrid-col[data-date='{DAY.isoformat()}']").bounding_box()
    row = lane.bounding_box()
    return column["x"] + column["width"] / 2, row["y"] + row["height"] / 2


def drag(page, source, target):
    page.mouse.move(*source)
    page.mouse.down()
    page.mouse.move(source[0] + 5, source[1] + 5, steps=3)
    page.mouse.move(*target, steps=15)
    page.wait_for_timeout(150)
    page.mouse.up()


def open_agenda(page):
    # At 1280 px the shared header's many links push "Se déconnecter" past the dark navbar
    # (a contrast failure on every page, outside the agenda); a wider window keeps axe
    # checking what this page adds.
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(f"/crm/agenda/?vue=timeGridWeek&date={DAY.isoformat()}")
    page.locator(f"td.fc-timegrid-col[data-date='{DAY.isoformat()}']").wait_for()
    expect(page.locator("#agenda-holidays li").first).not_to_have_text("Chargement…")


def test_drag_a_customer_onto_the_agenda_then_move_the_appointment(page, login, seller):
    login(seller)
    open_agenda(page)
    assert_accessible(page)

    # Search the side list, then drag the customer onto 10:00.
    page.get_by_label("Rechercher un client").fill("martin")
    expect(page.locator(".relais-agenda-customer")).to_have_count(1)
    target = slot_point(page, "10:00:00")
    item = page.locator(".relais-agenda-customer").first.bounding_box()
    drag(page, (item["x"] + 10, item["y"] + item["height"] / 2), target)
    # The status comes with the server's answer, so after the commit: the live server shares
    # the test's SQLite connection, and polling the rows could read a half-done change.
    expect(page.locator("#agenda-status")).to_contain_text("Rendez-vous créé avec Lucie MARTIN")
    appointment = Appointment.objects.select_related("customer__person").get()
    assert appointment.customer.person.last_name == "Martin"
    start = timezone.localtime(appointment.starts_at)
    assert (start.date(), start.hour, start.minute) == (DAY, 10, 0)
    event = page.locator("a.fc-event", has_text="Rendez-vous avec Lucie MARTIN")
    expect(event).to_be_visible()

    # Move it to 14:00 by dragging the event itself.
    target = slot_point(page, "14:00:00")
    box = event.bounding_box()
    drag(page, (box["x"] + box["width"] / 2, box["y"] + 6), (target[0], target[1] - 4))
    expect(page.locator("#agenda-status")).to_contain_text("est déplacé au")
    moved = Appointment.objects.get()
    assert timezone.localtime(moved.starts_at).hour == 14
    assert timezone.localtime(moved.starts_at).date() == DAY
    assert moved.ends_at - moved.starts_at == datetime.timedelta(hours=1)
    assert_accessible(page)

    # The follow-up task of an activity shows as an all-day link; month and list views too.
    expect(page.locator("a.relais-follow-up")).to_contain_text("Relance : Lucie MARTIN")
    page.get_by_role("button", name="Mois", exact=True).click()
    expect(page.locator(".fc-daygrid-body")).to_be_visible()
    expect(page.locator("a.fc-event", has_text="Rendez-vous avec Lucie MARTIN")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Planning", exact=True).click()
    expect(page.locator(".fc-list")).to_contain_text("Rendez-vous avec Lucie MARTIN")
    assert_accessible(page)


def test_keyboard_only_planifier_then_change_the_time(page, login, seller):
    login(seller)
    open_agenda(page)
    tab_to(page, ".relais-agenda-customer a:has-text('Planifier') >> nth=0", max_presses=120)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau rendez-vous")
    expect(page.get_by_label("Objet")).to_have_value("Rendez-vous avec Paul BERNARD")
    assert_accessible(page)
    page.get_by_label("Début").fill(f"{DAY.isoformat()}T09:00")
    page.get_by_label("Fin").fill(f"{DAY.isoformat()}T08:00")
    page.get_by_label("Objet").press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#form-errors")).to_contain_text(
        "La fin du rendez-vous doit être postérieure à son début."
    )
    assert_accessible(page)
    page.get_by_label("Fin").fill(f"{DAY.isoformat()}T09:45")
    page.get_by_label("Objet").press("Enter")
    page.wait_for_url("**/crm/agenda/?date=*")
    appointment = Appointment.objects.get()
    assert timezone.localtime(appointment.starts_at).hour == 9

    # The calendar's events are links: reach it with Tab, open its page, change the time.
    page.goto(f"/crm/agenda/?vue=timeGridWeek&date={DAY.isoformat()}")
    tab_to(page, "a.relais-appointment", max_presses=200)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rendez-vous avec Paul BERNARD")
    assert_accessible(page, screen="agenda-rendez-vous")
    page.get_by_role("link", name="Modifier (date, heure…)").press("Enter")
    page.wait_for_load_state()
    page.get_by_label("Début").fill(f"{DAY.isoformat()}T16:00")
    page.get_by_label("Fin").fill(f"{DAY.isoformat()}T17:00")
    page.get_by_label("Objet").press("Enter")
    page.wait_for_url("**/crm/agenda/?date=*")
    assert timezone.localtime(Appointment.objects.get().starts_at).hour == 16

    # Delete, with a confirmation page.
    page.goto(f"/crm/agenda/rendez-vous/{appointment.public_id}/supprimer/")
    assert_accessible(page)
    page.get_by_role("button", name="Supprimer définitivement").press("Enter")
    page.wait_for_url("**/crm/agenda/?date=*")
    assert not Appointment.objects.exists()


def test_dragging_an_occurrence_of_a_series_asks_the_scope(page, login, seller):
    start = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(9)))
    series = appointment_create(
        actor=seller,
        workspace=Workspace.objects.get(name="Concession de Nantes"),
        title="Réunion hebdo",
        starts_at=start - datetime.timedelta(days=7),
        ends_at=start - datetime.timedelta(days=7) + datetime.timedelta(hours=1),
        recurrence="weekly",
        recurrence_count=4,
    )
    login(seller)
    open_agenda(page)
    event = page.locator("a.relais-appointment", has_text="Réunion hebdo")
    box = event.bounding_box()
    target = slot_point(page, "11:00:00")
    drag(page, (box["x"] + box["width"] / 2, box["y"] + 6), (target[0], target[1] - 4))
    dialog = page.get_by_role("dialog", name="Rendez-vous répété")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Cette occurrence").click()
    # Not polling the rows: they could show the detached occurrence saved but the series'
    # exception not yet written (the status, like above, comes after the commit).
    expect(page.locator("#agenda-status")).to_contain_text("est déplacé au")
    assert Appointment.objects.count() == 2
    series.refresh_from_db()
    assert series.recurrence_exceptions == [DAY.isoformat()]
    detached = Appointment.objects.exclude(pk=series.pk).get()
    assert timezone.localtime(detached.starts_at).hour == 11
    assert not detached.recurrence


def test_an_occurrence_page_is_accessible(page, login, seller):
    """The « Annuler cette occurrence » button of a series' occurrence reads with AA contrast."""
    workspace = Workspace.objects.get(name="Concession de Nantes")
    starts_at = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(10, 0)))
    appointment = appointment_create(
        actor=seller,
        workspace=workspace,
        title="Réunion d'équipe",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        recurrence="weekly",
        recurrence_count=4,
    )
    login(seller)
    second = DAY + datetime.timedelta(days=7)
    page.goto(f"/crm/agenda/rendez-vous/{appointment.public_id}/?occurrence={second:%Y-%m-%d}")
    expect(page.get_by_role("link", name="Annuler cette occurrence")).to_be_visible()
    assert_accessible(page)


LONG_TITLE = "Rendez-vous avec Lucie MARTIN — révision 60 000 km"


def _clipped(locator) -> bool:
    """Whether the element hides part of its text (cut off, or an ellipsis)."""
    return locator.evaluate(
        "el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1"
    )


def test_event_titles_are_shown_whole_in_the_week_and_month_views(page, login, seller):
    start = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(10)))
    appointment_create(
        actor=seller,
        workspace=Workspace.objects.get(name="Concession de Nantes"),
        title=LONG_TITLE,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    login(seller)
    open_agenda(page)
    event = page.locator("a.relais-appointment", has_text="Rendez-vous avec Lucie")
    title = event.locator(".fc-event-title")
    expect(title).to_have_text(LONG_TITLE)
    assert not _clipped(title)
    # The event's box holds its whole title: nothing overflows the one-hour slot.
    assert event.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    page.get_by_role("button", name="Mois", exact=True).click()
    month_title = page.locator("a.fc-event", has_text="Rendez-vous avec Lucie").locator(
        ".fc-event-title"
    )
    expect(month_title).to_have_text(LONG_TITLE)
    assert not _clipped(month_title)
    assert_accessible(page, screen="agenda-mois")
