"""The observed pages of a ready log: figures checked by hand on a small log, each chart with
its table, filters by period, channel and segment, the cache beside the log and its
invalidation, modelled vs observed on a stored log, and the demo's logs."""

import json
from pathlib import Path

import polars as pl
import pytest
from django.urls import reverse

from relais.journeys.eventlog_store import store_frame
from relais.journeys.eventlogs import ColumnMapping, to_canonical
from relais.journeys.models import EventLog, EventLogSource
from relais.journeys.observed import Filters, observed_summary, summarise
from relais.journeys.services import journey_from_template
from relais.journeys.services_logs import log_store_frame

# Three cases by hand. A: web → phone (chasing) → letter, 10 days; B: web → letter, 2 days;
# C: letter → letter, 1 day, another branch.
RAW = pl.DataFrame(
    {
        "case": ["A", "A", "A", "B", "B", "C", "C"],
        "activity": ["Dépôt", "Relance", "Décision", "Dépôt", "Décision", "Dépôt", "Décision"],
        "time": [
            "2026-01-01T09:00:00Z",
            "2026-01-05T09:00:00Z",
            "2026-01-11T09:00:00Z",
            "2026-01-02T09:00:00Z",
            "2026-01-04T09:00:00Z",
            "2026-02-01T09:00:00Z",
            "2026-02-02T09:00:00Z",
        ],
        "channel": ["web", "phone", "letter", "web", "letter", "letter", "letter"],
        "branch": ["musique", "musique", "musique", "musique", "musique", "photo", "photo"],
        "reason": ["", "Toujours pas de nouvelles", "", "", "", "", ""],
    }
)
MAPPING = ColumnMapping(case="case", activity="activity", timestamp="time", channel="channel")


def _frame():
    return to_canonical(RAW, MAPPING)


def _url(name, **kwargs):
    return reverse(f"journeys:{name}", kwargs=kwargs)


def test_the_summary_figures_by_hand():
    summary = summarise(_frame())
    assert (summary["n_cases"], summary["n_events"], summary["n_variants"]) == (3, 7, 2)
    edges = {(e["source"], e["target"]): (e["count"], e["mean"]) for e in summary["graph"]["edges"]}
    assert edges == {
        ("Dépôt", "Décision"): (2, (2 + 1) * 86400 / 2),
        ("Dépôt", "Relance"): (1, 4 * 86400),
        ("Relance", "Décision"): (1, 6 * 86400),
    }
    # Graph columns follow the mean position: Dépôt first, then Relance and Décision.
    x = {node["name"]: node["x"] for node in summary["graph"]["nodes"]}
    assert x["Dépôt"] < x["Relance"] <= x["Décision"]
    links = {(k["source"], k["target"]): k["value"] for k in summary["sankey"]["links"]}
    assert links == {
        ("1. Site internet", "2. Téléphone"): 1,
        ("2. Téléphone", "3. Courrier"): 1,
        ("1. Site internet", "2. Courrier"): 1,
    }
    bins = {(b["low"], b["high"]): b["cases"] for b in summary["durations"]["bins"]}
    assert bins[(1, 7)] == 2 and bins[(7, 14)] == 1
    assert summary["durations"]["median"] == 2.0
    waiting = {row["activity"]: row["mean"] for row in summary["waiting"]}
    assert waiting == {"Relance": 4.0, "Décision": (6 + 2 + 1) / 3}
    assert summary["variants"][0] == {
        "activities": ["Dépôt", "Décision"],
        "count": 2,
        "share": 2 / 3,
    }
    assert summary["segments"] == {"branch": ["musique", "photo"]}


def test_filters_by_segment_channel_and_period():
    frame = _frame()
    photo = summarise(frame, Filters(segment="branch", segment_value="photo"))
    assert (photo["n_cases"], photo["n_events"]) == (1, 2)
    letters = summarise(frame, Filters(channel="letter"))
    assert letters["n_events"] == 4
    from datetime import date

    january = summarise(frame, Filters(since=date(2026, 1, 1), until=date(2026, 1, 31)))
    assert january["n_cases"] == 2
    nothing = summarise(frame, Filters(channel="fax"))
    assert nothing["empty"] and nothing["n_events"] == 0


@pytest.mark.django_db
def test_the_observed_page_has_a_table_for_every_chart_and_filters(supervisor_client, organization):
    log = log_store_frame(
        actor=None,
        organization=organization,
        name="Main",
        source=EventLogSource.FILE,
        frame=_frame(),
    )
    page = supervisor_client.get(_url("log-detail", log_id=log.public_id)).content.decode()
    for chart in ("chart-graph", "chart-sankey", "chart-durations", "chart-failure"):
        assert f'id="{chart}"' in page
    assert page.count("<caption") >= 8
    assert "Successions d'activités" in page and "1. Site internet" in page
    assert '<option value="branch=photo">branch : photo</option>' in page
    graph = json.loads(
        page.split('id="data-graph" type="application/json">')[1].split("</script>")[0]
    )
    assert graph["drawn"] == 3
    filtered = supervisor_client.get(
        _url("log-detail", log_id=log.public_id) + "?segment=branch%3Dphoto"
    ).content.decode()
    assert "Tout voir" in filtered and ">1</dd>" in filtered
    # A tampered filter is ignored, not an error.
    assert (
        supervisor_client.get(_url("log-detail", log_id=log.public_id) + "?since=hier").status_code
        == 200
    )


@pytest.mark.django_db
def test_the_summary_is_cached_beside_the_log_and_invalidated(organization, settings):
    log = EventLog.objects.create(organization=organization, name="Cache")
    store_frame(log, _frame())
    first = observed_summary(log)
    cache = list((Path(settings.MEDIA_ROOT) / log.data_path).with_suffix(".observed").iterdir())
    assert len(cache) == 1 and json.loads(cache[0].read_text())["n_events"] == 7
    assert observed_summary(log) == first
    store_frame(log, _frame().filter(pl.col("case_id") != "C"))
    from relais.journeys.observed import observed_invalidate

    observed_invalidate(log)
    assert observed_summary(log)["n_events"] == 5


@pytest.mark.django_db
def test_the_observed_list_page_runs_a_bounded_number_of_queries(
    supervisor_client, organization, django_assert_max_num_queries
):
    for number in range(5):
        log_store_frame(
            actor=None, organization=organization, name=f"J{number}", source="file", frame=_frame()
        )
    with django_assert_max_num_queries(25):
        page = supervisor_client.get(_url("log-list")).content.decode()
    assert page.count("Prêt") == 5


@pytest.mark.django_db
def test_compare_a_designed_journey_with_a_stored_log(supervisor_client, organization):
    journey = journey_from_template("affiliation", organization)
    log = log_store_frame(
        actor=None, organization=organization, name="Observé", source="file", frame=_frame()
    )
    url = _url("journey-compare", journey_id=journey.public_id)
    page = supervisor_client.get(url).content.decode()
    assert f'<option value="{log.public_id}">Observé (3 dossiers)</option>' in page
    response = supervisor_client.post(url, {"log": str(log.public_id)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Journal observé : « Observé »" in page
    assert "3 dossiers observés" in page
    assert "Activités observées absentes du parcours conçu" in page and "Relance" in page


@pytest.mark.django_db
def test_the_demo_stores_the_simulated_year_volumes_and_a_sample(
    django_capture_on_commit_callbacks,
):
    from relais.journeys.demo import ORGANIZATION_SLUG, load_demo_for_platform
    from relais.journeys.models import ChannelVolume, RecommendationSet, SampleContact

    with django_capture_on_commit_callbacks(execute=True):
        load_demo_for_platform()
    logs = EventLog.objects.filter(organization__slug=ORGANIZATION_SLUG)
    simulated = logs.get(source=EventLogSource.SIMULATED)
    assert simulated.status == "ready" and 20_000 <= simulated.n_events <= 50_000
    assert ChannelVolume.objects.get(channel="phone").contacts == 51_436
    assert SampleContact.objects.count() == 120
    ranked = RecommendationSet.objects.get(event_log=simulated)
    gains = [item["gain"]["value"] for item in ranked.recommendations]
    assert gains and gains == sorted(gains, reverse=True)
    load_demo_for_platform()  # idempotent
    assert logs.count() == 1 and SampleContact.objects.count() == 120
    assert RecommendationSet.objects.count() == 1
