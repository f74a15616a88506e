"""The back office's indicators, checked by hand on a small forum with a fixed clock."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from relais.community import kpis
from relais.community.services import (
    answer_accept,
    flag_create,
    flag_decide,
    official_answer_publish,
    post_like,
    post_reply,
    topic_create,
)
from relais.community.services.searchlog import search_empty_flush, search_empty_note
from tests.community.conftest import make_member

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour, minute=0):
    return datetime.datetime(2026, 6, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def forum(community, public_category, staff):
    """Four questions on 1 June (times in Paris), one on 10 May; see each test's arithmetic."""
    cache.clear()
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=PARIS), tick=False) as clock:
        alice = make_member(community, "alice", "Alice photo")
        bruno = make_member(community, "bruno", "Bruno dessin")
        modo = make_member(community, "modo", "Modération", role="moderator")

        def ask(user, when, title):
            clock.move_to(when)
            return topic_create(
                user=user,
                category=public_category,
                title=title,
                body="Texte de la question, assez long pour passer.",
                kind="question",
            )

        def reply(user, topic, when, body="Une réponse utile."):
            clock.move_to(when)
            return post_reply(user=user, topic=topic, body=body)

        old = ask(alice, datetime.datetime(2026, 5, 10, 10, tzinfo=PARIS), "Ancienne question")
        reply(bruno, old, datetime.datetime(2026, 5, 10, 11, tzinfo=PARIS))

        q4 = ask(bruno, at(1, 9), "Question quatre sur la retraite")
        a4 = reply(alice, q4, at(1, 9, 30))  # first answer after 30 min
        q1 = ask(alice, at(1, 10), "Question une sur les cotisations")
        q2 = ask(alice, at(1, 11), "Question deux sur la maladie")
        a1 = reply(bruno, q1, at(1, 12))  # 2 h
        ask(bruno, at(1, 12, 30), "Question trois sans réponse")
        clock.move_to(at(1, 13))
        answer_accept(user=alice, post=a1)
        a2 = reply(bruno, q2, at(1, 15))  # 4 h
        clock.move_to(at(1, 16))
        flag_create(user=alice, post=a2, reason="off_topic")
        clock.move_to(at(1, 17))
        flag_create(user=bruno, post=a4, reason="spam")
        clock.move_to(at(1, 19))
        flag_decide(user=modo, post=a2, decision="disagree")  # handled after 3 h
        clock.move_to(at(2, 11))
        official_answer_publish(  # the official answer, 24 h after the question
            user=staff, topic=q2, body="Réponse de l'organisme.", service_name="Service maladie"
        )
    return {"alice": alice, "bruno": bruno, "q1": q1, "a1": a1, "a4": a4}


def week():
    return kpis.Period(start=datetime.date(2026, 5, 27), end=datetime.date(2026, 6, 2))


@pytest.mark.django_db
def test_counts_rates_and_medians_of_the_period(community, forum):
    result = kpis.compute(community=community, period=week())
    assert result.members == 4  # alice, bruno, the moderator, and the staff's profile
    assert result.new_members == 1  # the staff's profile, made by their first post on 2 June
    assert result.topics == 4 and result.questions == 4
    assert result.answers == 4  # a4, a1, a2 and the official answer
    assert result.solved == 2  # q1 accepted, q2 officially answered
    assert result.solved_rate == pytest.approx(0.5)
    assert result.official_answers == 1
    assert result.official_share == pytest.approx(0.25)
    assert result.first_answer_median == datetime.timedelta(hours=2)  # 0.5 h, 2 h, 4 h
    assert result.official_answer_median == datetime.timedelta(hours=24)
    assert result.unanswered == 1
    assert result.flags == 2 and result.flags_pending == 1
    assert result.flag_handling_median == datetime.timedelta(hours=3)
    # Active: alice and bruno on 1 June, the staff member on 2 June.
    by_day = {row["day"]: row for row in result.daily}
    assert by_day[datetime.date(2026, 6, 1)]["active"] == 2
    assert by_day[datetime.date(2026, 6, 2)]["active"] == 1
    assert by_day[datetime.date(2026, 5, 30)]["active"] == 0
    assert result.active_daily_average == pytest.approx(3 / 7)
    assert result.active_monthly == 3
    assert [c["name"] for c in result.contributors] == [
        "Bruno dessin",
        "Alice photo",
        "Nadia (équipe)",
    ]
    assert result.contributors[0] == {
        "name": "Bruno dessin",
        "answers": 2,
        "accepted": 1,
        "validated": 0,
    }


@pytest.mark.django_db
def test_median_of_an_even_count_is_the_mean_of_the_middle_two(community, forum):
    may = kpis.Period(start=datetime.date(2026, 5, 1), end=datetime.date(2026, 6, 2))
    result = kpis.compute(community=community, period=may)
    # First answers: 30 min, 1 h (the old question), 2 h, 4 h -> (1 h + 2 h) / 2.
    assert result.first_answer_median == datetime.timedelta(hours=1, minutes=30)
    assert result.questions == 5 and result.new_members == 4


@pytest.mark.django_db
def test_the_period_filter_leaves_out_what_happened_outside(community, forum):
    may = kpis.Period(start=datetime.date(2026, 5, 1), end=datetime.date(2026, 5, 31))
    result = kpis.compute(community=community, period=may)
    assert result.topics == 1 and result.answers == 1
    assert result.solved_rate == 0.0
    assert result.first_answer_median == datetime.timedelta(hours=1)
    assert result.official_answer_median is None
    assert result.flags == 0 and result.flag_handling_median is None
    empty = kpis.compute(
        community=community,
        period=kpis.Period(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 4, 7)),
    )
    assert empty.solved_rate is None and empty.official_share is None
    assert empty.members == 0


@pytest.mark.django_db
def test_a_like_makes_a_member_active_that_day(community, forum):
    with time_machine.travel(at(5, 10), tick=False):
        post_like(user=forum["alice"], post=forum["a1"])
    period = kpis.Period(start=datetime.date(2026, 6, 5), end=datetime.date(2026, 6, 5))
    result = kpis.compute(community=community, period=period)
    assert result.daily == [
        {"day": datetime.date(2026, 6, 5), "new_members": 0, "active": 1, "topics": 0, "answers": 0}
    ]


@pytest.mark.django_db
def test_searches_without_result_are_counted_once_flushed(community, forum):
    cache.clear()
    search_empty_note(community=community, query="  droits   d'auteur  ", now=at(2, 9))
    search_empty_note(community=community, query="droits d'auteur", now=at(2, 10))
    search_empty_note(community=community, query="mon NIR 1 84 12 76 451 089 46", now=at(2, 11))
    assert kpis.compute(community=community, period=week()).searches_empty == 0  # not flushed
    assert search_empty_flush(community=community) == 3
    assert search_empty_flush(community=community) == 0
    result = kpis.compute(community=community, period=week())
    assert result.searches_empty == 3
    assert result.searches_empty_top[0] == ("droits d'auteur", 2)
    assert all("451" not in text for text, _n in result.searches_empty_top)


def test_french_formats():
    assert kpis.french_number(1234567) == "1\u202f234\u202f567"
    assert kpis.french_number(3 / 7, 1) == "0,4"
    assert kpis.french_percent(0.25) == "25,0\u00a0%"
    assert kpis.french_duration(datetime.timedelta(hours=26, minutes=5)) == "1\u00a0j 2\u00a0h"
    assert kpis.french_duration(datetime.timedelta(minutes=125)) == "2\u00a0h 05\u00a0min"
    assert kpis.french_duration(None) == "—"


@pytest.mark.django_db
def test_the_search_page_notes_a_search_that_found_nothing(client, community, forum):
    from django.urls import reverse

    cache.clear()
    client.get(reverse("community:search"), {"q": "cotisations"})  # finds the questions
    client.get(reverse("community:search"), {"q": "xylophone introuvable"})
    assert search_empty_flush(community=community) == 1
    today = timezone.localdate()
    result = kpis.compute(community=community, period=kpis.Period(start=today, end=today))
    assert result.searches_empty_top == [("xylophone introuvable", 1)]
