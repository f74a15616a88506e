"""The administrative calendar: public holidays, Alsace-Moselle, closures, working days and
business hours (conventions documented in ``relais.core.calendars.administrative``)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from relais.core.calendars import (
    AdministrativeCalendar,
    calendar_for_organization,
    is_public_holiday,
    public_holidays,
)
from relais.core.calendars.models import Closure
from tests.factories import OrganizationFactory

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC
CALENDAR = AdministrativeCalendar()


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# --- public holidays -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "ascension", "whit_monday"),
    [
        (2024, D(2024, 5, 9), D(2024, 5, 20)),
        (2025, D(2025, 5, 29), D(2025, 6, 9)),
        (2026, D(2026, 5, 14), D(2026, 5, 25)),
        (2027, D(2027, 5, 6), D(2027, 5, 17)),
    ],
)
def test_labour_day_ascension_and_whit_monday(year, ascension, whit_monday):
    days = public_holidays(year)
    assert days[D(year, 5, 1)] == "Fête du Travail"
    assert days[ascension] == "Ascension"
    assert days[whit_monday] == "Lundi de Pentecôte"
    assert len(days) == 11
    for day in (D(year, 5, 1), ascension, whit_monday):
        assert not CALENDAR.is_working_day(day)


def test_alsace_moselle_adds_good_friday_and_st_stephen():
    metropolitan = public_holidays(2026)
    local = public_holidays(2026, alsace_moselle=True)
    assert set(local) - set(metropolitan) == {D(2026, 4, 3), D(2026, 12, 26)}
    assert local[D(2026, 4, 3)] == "Vendredi saint"
    assert is_public_holiday(D(2025, 4, 18), alsace_moselle=True)  # Good Friday 2025
    assert not is_public_holiday(D(2025, 4, 18))
    alsace = AdministrativeCalendar(alsace_moselle=True)
    assert not alsace.is_working_day(D(2025, 4, 18))
    assert CALENDAR.is_working_day(D(2025, 4, 18))
    assert not alsace.is_working_day(D(2025, 12, 26))  # a Friday
    assert CALENDAR.is_working_day(D(2025, 12, 26))
    assert alsace.holidays(2025)[D(2025, 12, 26)] == "Saint-Étienne"


def test_public_holidays_returns_a_copy():
    public_holidays(2025).clear()
    assert len(public_holidays(2025)) == 11


# --- working days ----------------------------------------------------------------------------


def test_weekends_are_not_worked_weekdays_are():
    assert CALENDAR.is_working_day(D(2025, 6, 13))  # Friday
    assert not CALENDAR.is_working_day(D(2025, 6, 14))  # Saturday: offices are closed
    assert not CALENDAR.is_working_day(D(2025, 6, 15))  # Sunday
    assert CALENDAR.next_working_day(D(2025, 6, 14)) == D(2025, 6, 16)
    assert CALENDAR.previous_working_day(D(2025, 6, 15)) == D(2025, 6, 13)
    # Saturday 7, Sunday 8 then Whit Monday 9 June.
    assert CALENDAR.next_working_day(D(2025, 6, 7)) == D(2025, 6, 10)


def test_add_working_days_over_an_ascension_bridge():
    wednesday = D(2025, 5, 28)  # Ascension is Thursday 29 May 2025
    assert CALENDAR.add_working_days(wednesday, 1) == D(2025, 5, 30)
    bridge = AdministrativeCalendar(closures=((D(2025, 5, 30), D(2025, 5, 30)),))
    assert not bridge.is_working_day(D(2025, 5, 30))
    assert bridge.add_working_days(wednesday, 1) == D(2025, 6, 2)
    assert bridge.add_working_days(wednesday, 2) == D(2025, 6, 3)
    assert bridge.add_working_days(D(2025, 6, 2), -1) == wednesday
    assert bridge.working_days_between(wednesday, D(2025, 6, 2)) == 1


def test_add_working_days_conventions():
    friday, saturday = D(2025, 6, 13), D(2025, 6, 14)
    assert CALENDAR.add_working_days(friday, 1) == D(2025, 6, 16)
    assert CALENDAR.add_working_days(saturday, 1) == D(2025, 6, 16)
    assert CALENDAR.add_working_days(friday, 0) == friday
    assert CALENDAR.add_working_days(saturday, 0) == saturday  # unchanged, even not worked
    assert CALENDAR.add_working_days(D(2025, 6, 16), -1) == friday
    assert CALENDAR.add_working_days(saturday, -1) == friday
    assert CALENDAR.add_working_days(friday, 5) == D(2025, 6, 20)


def test_working_days_between_counts_after_start_up_to_end_and_is_antisymmetric():
    friday, tuesday = D(2025, 6, 13), D(2025, 6, 17)
    assert CALENDAR.working_days_between(friday, tuesday) == 2
    assert CALENDAR.working_days_between(tuesday, friday) == -2
    assert CALENDAR.working_days_between(friday, friday) == 0
    assert CALENDAR.working_days_between(D(2025, 6, 14), D(2025, 6, 15)) == 0  # a weekend
    # Friday 6 June to Tuesday 10 June 2025: Whit Monday does not count.
    assert CALENDAR.working_days_between(D(2025, 6, 6), D(2025, 6, 10)) == 1
    # 2025: 261 weekdays, 10 public holidays on a weekday (1 November is a Saturday).
    assert CALENDAR.working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == 251


def test_working_days_between_undoes_add_working_days():
    start = D(2025, 4, 20)
    for offset in range(60):
        day = start + datetime.timedelta(days=offset)
        for n in range(0, 12):
            assert CALENDAR.working_days_between(day, CALENDAR.add_working_days(day, n)) == n
        if CALENDAR.is_working_day(day):
            for n in range(-12, 0):
                assert CALENDAR.working_days_between(day, CALENDAR.add_working_days(day, n)) == n


# --- business hours --------------------------------------------------------------------------


def test_business_hours_across_lunch_and_evening():
    tuesday = (2025, 6, 3)
    assert CALENDAR.add_business_hours(paris(*tuesday, 11, 0), 2) == paris(*tuesday, 14, 30)
    assert CALENDAR.add_business_hours(paris(*tuesday, 16, 0), 2) == paris(2025, 6, 4, 9, 30)
    assert CALENDAR.add_business_hours(paris(*tuesday, 12, 30), 1) == paris(*tuesday, 14, 30)
    assert CALENDAR.add_business_hours(paris(*tuesday, 7, 0), 0.5) == paris(*tuesday, 9, 0)
    # Ending exactly at closing time ends there.
    assert CALENDAR.add_business_hours(paris(*tuesday, 16, 0), 1) == paris(*tuesday, 17, 0)
    # A full day is 7 business hours.
    assert CALENDAR.add_business_hours(paris(*tuesday, 8, 30), 7) == paris(*tuesday, 17, 0)
    assert CALENDAR.add_business_hours(
        paris(*tuesday, 8, 30), datetime.timedelta(hours=7, minutes=30)
    ) == paris(2025, 6, 4, 9, 0)


def test_business_hours_over_a_weekend_and_a_holiday():
    assert CALENDAR.add_business_hours(paris(2025, 6, 13, 16, 30), 1) == paris(2025, 6, 16, 9, 0)
    # Friday 6 June, then the weekend and Whit Monday.
    assert CALENDAR.add_business_hours(paris(2025, 6, 6, 16, 30), 1) == paris(2025, 6, 10, 9, 0)
    # Starting on a Saturday: the delay starts on Monday morning.
    assert CALENDAR.add_business_hours(paris(2025, 6, 14, 10, 0), 1) == paris(2025, 6, 16, 9, 30)


def test_business_hours_across_the_daylight_saving_nights():
    # Spring: the night of Sunday 29 March 2026 loses an hour (CET +1 -> CEST +2).
    friday = utc(2026, 3, 27, 15, 0)  # 16:00 in Paris
    result = CALENDAR.add_business_hours(friday, 2)
    assert result == utc(2026, 3, 30, 7, 30)  # Monday 09:30 CEST
    assert (result.hour, result.minute, result.utcoffset()) == (9, 30, datetime.timedelta(hours=2))
    # During the change itself (02:00 -> 03:00 local): Monday 08:30 + 1h.
    assert CALENDAR.add_business_hours(utc(2026, 3, 29, 1, 30), 1) == utc(2026, 3, 30, 7, 30)
    # Autumn: the night of Sunday 25 October 2026 gains an hour (CEST -> CET).
    result = CALENDAR.add_business_hours(paris(2026, 10, 23, 16, 30), 1)
    assert result == utc(2026, 10, 26, 8, 0)  # Monday 09:00 CET
    assert result.utcoffset() == datetime.timedelta(hours=1)


def test_business_hours_from_any_zone_and_the_refusals():
    assert CALENDAR.add_business_hours(utc(2025, 6, 3, 9, 0), 1) == paris(2025, 6, 3, 12, 0)
    moment = utc(2025, 6, 14, 9, 0)
    assert CALENDAR.add_business_hours(moment, 0) == moment  # unchanged
    with pytest.raises(ValueError):
        CALENDAR.add_business_hours(datetime.datetime(2025, 6, 3, 9, 0), 1)  # naive
    with pytest.raises(ValueError):
        CALENDAR.add_business_hours(moment, -1)


def test_is_business_time():
    assert CALENDAR.is_business_time(paris(2025, 6, 3, 8, 30))
    assert not CALENDAR.is_business_time(paris(2025, 6, 3, 12, 0))
    assert not CALENDAR.is_business_time(paris(2025, 6, 3, 17, 0))
    assert not CALENDAR.is_business_time(paris(2025, 6, 9, 10, 0))  # Whit Monday


def test_business_hours_are_configurable_and_checked():
    mornings = AdministrativeCalendar(hours=((datetime.time(9), datetime.time(12)),))
    assert mornings.add_business_hours(paris(2025, 6, 3, 11, 0), 2) == paris(2025, 6, 4, 10, 0)
    for hours in (
        (),
        ((datetime.time(12), datetime.time(9)),),
        ((datetime.time(9), datetime.time(12)), (datetime.time(11), datetime.time(14))),
    ):
        with pytest.raises(ValueError):
            AdministrativeCalendar(hours=hours)


# --- closures per organization ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_organization_calendar_has_its_closures_and_only_its_own(django_assert_num_queries):
    town_hall, other = OrganizationFactory(), OrganizationFactory()
    Closure.objects.create(
        organization=town_hall, start=D(2025, 8, 11), end=D(2025, 8, 15), label="Pont d'août"
    )
    with django_assert_num_queries(1):
        calendar = calendar_for_organization(town_hall)
    assert not calendar.is_working_day(D(2025, 8, 12))
    assert calendar.add_working_days(D(2025, 8, 8), 1) == D(2025, 8, 18)
    assert calendar.working_days_between(D(2025, 8, 8), D(2025, 8, 18)) == 1
    assert calendar_for_organization(other).is_working_day(D(2025, 8, 12))
    local = calendar_for_organization(town_hall, alsace_moselle=True)
    assert not local.is_working_day(D(2025, 12, 26)) and not local.is_working_day(D(2025, 8, 14))


@pytest.mark.django_db
def test_a_closure_cannot_end_before_it_starts():
    organization = OrganizationFactory()
    closure = Closure(organization=organization, start=D(2025, 8, 15), end=D(2025, 8, 11))
    with pytest.raises(ValidationError):
        closure.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        closure.save()
    assert str(Closure(organization=organization, start=D(2025, 8, 15), end=D(2025, 8, 15)))


@pytest.mark.django_db
def test_closures_are_managed_in_the_admin(admin_client):
    organization = OrganizationFactory()
    Closure.objects.create(organization=organization, start=D(2025, 12, 24), end=D(2025, 12, 24))
    response = admin_client.get("/admin/calendars/closure/")
    assert response.status_code == 200
    assert "24/12/2025" in response.content.decode() or "24 déc" in response.content.decode()
