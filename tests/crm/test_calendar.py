"""Working days of the dealership (``relais.crm.calendar``): Sundays and French public
holidays are closed, Saturdays are worked."""

import datetime

from relais.crm.calendar import (
    is_working_day,
    next_working_day,
    previous_working_day,
    public_holidays,
)


def test_public_holidays_are_the_eleven_french_ones_named_in_french():
    days = public_holidays(2025)
    assert len(days) == 11
    assert days[datetime.date(2025, 7, 14)] == "Fête nationale"
    assert days[datetime.date(2025, 4, 21)] == "Lundi de Pâques"  # Easter moves every year
    assert datetime.date(2026, 4, 6) in public_holidays(2026)
    # Metropolitan France: no Alsace-Moselle Good Friday or St Stephen's Day.
    assert datetime.date(2025, 4, 18) not in days
    assert datetime.date(2025, 12, 26) not in days


def test_the_returned_dict_is_a_copy():
    public_holidays(2025).clear()
    assert len(public_holidays(2025)) == 11


def test_sundays_and_holidays_are_not_working_days():
    assert not is_working_day(datetime.date(2025, 6, 15))  # Sunday
    assert not is_working_day(datetime.date(2025, 5, 1))  # Thursday, Labour Day
    assert is_working_day(datetime.date(2025, 6, 14))  # Saturday: dealers open
    assert is_working_day(datetime.date(2025, 6, 16))


def test_next_working_day_skips_sundays_and_holidays():
    assert next_working_day(datetime.date(2025, 6, 16)) == datetime.date(2025, 6, 16)
    # Sunday 8 June then Whit Monday 9 June.
    assert next_working_day(datetime.date(2025, 6, 8)) == datetime.date(2025, 6, 10)
    assert next_working_day(datetime.date(2025, 12, 25)) == datetime.date(2025, 12, 26)


def test_previous_working_day_goes_back():
    assert previous_working_day(datetime.date(2025, 6, 9)) == datetime.date(2025, 6, 7)
    assert previous_working_day(datetime.date(2025, 6, 7)) == datetime.date(2025, 6, 7)
