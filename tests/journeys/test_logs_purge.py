"""Logs in the bin are purged with their files after the retention (30 days by default, a
setting), by a nightly task, audited; the bin says when each will go. The clock is the suite's
fixed one (2025-06-15); the service takes ``now`` for dates beside it."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from relais.core.audit.models import AuditEntry
from relais.journeys import services_recommendations
from relais.journeys.models import EventLog, EventLogSource, RecommendationSet
from relais.journeys.observed import observed_summary
from relais.journeys.services_logs import log_store_frame, logs_purge_binned
from relais.journeys.tasks import purge_binned_logs_task
from tests.journeys.reco_logs import reco_frame

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 6, 3, 47, tzinfo=UTC)


def _log(organization, name, *, binned_days_ago=None):
    log = log_store_frame(
        actor=None,
        organization=organization,
        name=name,
        source=EventLogSource.FILE,
        frame=reco_frame(),
    )
    observed_summary(log)  # its cached view, beside the events file
    if binned_days_ago is not None:
        log.deleted_at = NOW - timedelta(days=binned_days_ago)
        log.save(update_fields=["deleted_at"])
    return log


def _files(settings, log) -> list[Path]:
    data = Path(settings.MEDIA_ROOT) / log.data_path
    return [p for p in (data, data.with_suffix(".observed")) if p.exists()]


def test_logs_binned_longer_than_the_retention_are_purged_with_their_files(organization, settings):
    old = _log(organization, "Ancien")
    services_recommendations.recommendation_set_compute(
        actor=None, organization=organization, event_log=old
    )
    old.deleted_at = NOW - timedelta(days=31)
    old.save(update_fields=["deleted_at"])
    recent = _log(organization, "Récent", binned_days_ago=29)
    alive = _log(organization, "Vivant")
    assert len(_files(settings, old)) == 2

    assert logs_purge_binned(now=NOW) == 1
    assert set(EventLog.objects.values_list("name", flat=True)) == {"Récent", "Vivant"}
    assert _files(settings, old) == [] and len(_files(settings, recent)) == 2
    assert len(_files(settings, alive)) == 2
    assert not RecommendationSet.objects.exists()  # computed from the purged log
    entry = AuditEntry.objects.get(action="journeys.log.purge")
    assert entry.target_id == str(old.public_id) and entry.actor is None
    assert entry.before["name"] == "Ancien" and entry.before["recommendation_sets"] == 1
    assert logs_purge_binned(now=NOW) == 0  # nothing left to purge


def test_the_retention_is_a_setting(organization, settings):
    settings.JOURNEYS_BIN_RETENTION_DAYS = 7
    _log(organization, "Huit jours", binned_days_ago=8)
    _log(organization, "Six jours", binned_days_ago=6)
    assert logs_purge_binned(now=NOW) == 1
    assert list(EventLog.objects.values_list("name", flat=True)) == ["Six jours"]


def test_the_nightly_task_purges(organization):
    log = _log(organization, "Au 15 mai 2025")
    log.deleted_at = datetime(2025, 5, 15, 8, 0, tzinfo=UTC)  # 31 days before the fixed clock
    log.save(update_fields=["deleted_at"])
    _log(organization, "Vivant")
    assert purge_binned_logs_task.call_local() == 1
    assert list(EventLog.objects.values_list("name", flat=True)) == ["Vivant"]


def test_the_bin_says_when_each_log_is_purged(supervisor_client, organization):
    log = _log(organization, "À purger", binned_days_ago=0)
    log.deleted_at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    log.save(update_fields=["deleted_at"])
    page = supervisor_client.get(reverse("journeys:log-list")).content.decode()
    assert "Corbeille" in page and "À purger" in page
    assert "purgé définitivement le 31/12/2026" in page
