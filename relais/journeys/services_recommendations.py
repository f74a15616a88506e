"""Recommendation sets: compute the ranked recommendations of a kept log, edit the assumptions,
recompute. One function per business action, each transactional, checked (the actor must be
allowed to edit the organization's journeys) and audited.

The computation itself is :func:`relais.journeys.recommendations.recommend` on the log's
canonical frame; errors are ``ValidationError`` in French, keyed by the form field to blame
(``handling_minutes__phone`` for the assumption ``handling_minutes.phone``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.jobs.services import job_start
from relais.core.workspaces.selectors import workspaces_for_user
from relais.journeys import reports
from relais.journeys.access import ensure_can_edit, ensure_journey_permission
from relais.journeys.bpmn import journey_data
from relais.journeys.eventlog_store import load_frame
from relais.journeys.models import (
    EventLog,
    EventLogStatus,
    Journey,
    Phase,
    RecommendationSet,
    Step,
)
from relais.journeys.permissions import Permission
from relais.journeys.recommendations import AssumptionsError, recommend, validate_assumptions

NAME_MAX = 160


def field_name(assumption: str) -> str:
    """The form field of an assumption key (``handling_minutes.phone`` → ``…__phone``)."""
    return assumption.replace(".", "__")


def _checked(assumptions) -> dict:
    try:
        return validate_assumptions(assumptions)
    except AssumptionsError as error:
        raise ValidationError(
            {
                field_name(key): message[:1].upper() + message[1:]
                for key, message in error.errors.items()
            }
        ) from None


def _designed(journey: Journey | None) -> dict | None:
    if journey is None:
        return None
    journey = Journey.objects.prefetch_related("phases__steps").get(pk=journey.pk)
    return journey_data(journey)


def _ranking(recommendation_set: RecommendationSet, assumptions: dict) -> dict:
    log = recommendation_set.event_log
    try:
        frame = load_frame(log)
    except FileNotFoundError:
        raise ValidationError(
            _("Le journal « %(name)s » n'a pas d'événements enregistrés.") % {"name": log.name}
        ) from None
    try:
        return recommend(frame, assumptions, designed=_designed(recommendation_set.journey))
    except AssumptionsError as error:
        raise ValidationError(
            {field_name(key): message for key, message in error.errors.items()}
        ) from None


def _summary(recommendation_set: RecommendationSet) -> dict:
    """What the audit keeps of a set: its assumptions and the head of its ranking."""
    return {
        "name": recommendation_set.name,
        "assumptions": recommendation_set.assumptions,
        "top": [
            {"key": row["key"], "lever": row["lever"], "gain": round(row["gain"]["value"], 3)}
            for row in recommendation_set.recommendations[:10]
        ],
    }


def _new_set(*, actor, organization, event_log, journey, name, assumptions) -> RecommendationSet:
    """A set checked and not saved yet (the checks shared by the two ways of computing)."""
    ensure_can_edit(actor, organization)
    if event_log.organization_id != organization.pk or event_log.deleted_at is not None:
        raise ValidationError({"event_log": _("Journal d'événements introuvable.")})
    if event_log.status != EventLogStatus.READY:
        raise ValidationError(
            {"event_log": _("Ce journal n'est pas prêt : attendez la fin de son import.")}
        )
    if journey is not None and (
        journey.organization_id != organization.pk or journey.deleted_at is not None
    ):
        raise ValidationError({"journey": _("Parcours introuvable.")})
    name = (name or "").strip() or _("Recommandations — %(log)s") % {"log": event_log.name}
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("%(max)s caractères au plus.") % {"max": NAME_MAX}})
    return RecommendationSet(
        organization=organization,
        event_log=event_log,
        journey=journey,
        name=name,
        assumptions=_checked(assumptions or {}),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def recommendation_set_compute(
    *,
    actor,
    organization,
    event_log: EventLog,
    journey: Journey | None = None,
    name: str = "",
    assumptions: dict | None = None,
) -> RecommendationSet:
    """Rank the recommendations of ``event_log`` (ready, of ``organization``), optionally
    against a designed ``journey`` of the same organization, and keep them — at once, in the
    caller's process (batch use: the demo loader, commands). Pages and the API use
    :func:`recommendation_set_start`, which computes in the background."""
    recommendation_set = _new_set(
        actor=actor,
        organization=organization,
        event_log=event_log,
        journey=journey,
        name=name,
        assumptions=assumptions,
    )
    recommendation_set.ranking = _ranking(recommendation_set, recommendation_set.assumptions)
    recommendation_set.computed_at = timezone.now()
    recommendation_set.full_clean()
    recommendation_set.save()
    audit_log(
        actor=actor,
        action="journeys.recommendations.compute",
        target=recommendation_set,
        after=_summary(recommendation_set),
    )
    return recommendation_set


# Computing in the background -----------------------------------------------------------------

RANKING_JOB_KIND = "journeys.recommendation_ranking"


def ranking_access(user, workspace) -> None:
    """Who may start a ranking job: an editor of the workspace organization's journeys."""
    ensure_journey_permission(user, Permission.JOURNEYS_EDIT, workspace.organization)


def _workspace_for(actor, organization, workspace):
    """The workspace a job is filed under: the page's, else (the API) the first workspace of
    the organization the actor may enter."""
    if workspace is not None:
        return workspace
    found = workspaces_for_user(user=actor).filter(organization=organization).order_by("pk").first()
    if found is None:
        raise ValidationError(_("Aucun espace de travail de cet organisme pour ce calcul."))
    return found


def _start_ranking(*, actor, workspace, recommendation_set: RecommendationSet) -> None:
    recommendation_set.job = job_start(
        actor=actor,
        workspace=_workspace_for(actor, recommendation_set.organization, workspace),
        kind=RANKING_JOB_KIND,
        label=_("Calcul des recommandations « %(name)s »") % {"name": recommendation_set.name},
        params={"set_id": recommendation_set.pk},
    )
    recommendation_set.save(update_fields=["job", "updated_at"])


@transaction.atomic
def recommendation_set_start(
    *,
    actor,
    workspace,
    organization,
    event_log: EventLog,
    journey: Journey | None = None,
    name: str = "",
    assumptions: dict | None = None,
) -> RecommendationSet:
    """Keep a new set of ``event_log``'s recommendations (checked as
    :func:`recommendation_set_compute`) and rank them in a background job, queued after
    commit; the set's page shows the job's progress, then the ranking."""
    recommendation_set = _new_set(
        actor=actor,
        organization=organization,
        event_log=event_log,
        journey=journey,
        name=name,
        assumptions=assumptions,
    )
    recommendation_set.full_clean(exclude=["ranking"])  # the job fills it
    recommendation_set.save()
    _start_ranking(actor=actor, workspace=workspace, recommendation_set=recommendation_set)
    audit_log(
        actor=actor,
        action="journeys.recommendations.compute",
        target=recommendation_set,
        after={"name": recommendation_set.name, "assumptions": recommendation_set.assumptions},
    )
    return recommendation_set


def recommendation_set_rank_run(*, set_id: int, job, progress) -> str:
    """The ranking job's body: read the log, rank with the set's assumptions, keep the
    ranking (audited) — unless a later job was started for the set meanwhile, whose ranking
    wins."""
    progress.start(3)
    # A set of the job's own organization only: a stale or forged id finds nothing.
    recommendation_set = RecommendationSet.objects.select_related(
        "organization", "event_log", "journey"
    ).get(pk=set_id, organization=job.workspace.organization_id)
    progress.advance()
    try:
        ranking = _ranking(recommendation_set, recommendation_set.assumptions)
    except ValidationError as error:
        raise RuntimeError(" ".join(error.messages)) from None
    progress.advance()
    with transaction.atomic():
        locked = RecommendationSet.objects.select_for_update().get(pk=set_id)
        if locked.job_id != job.pk:
            return _("Classement remplacé par un calcul plus récent.")
        before = _summary(locked)
        locked.ranking = ranking
        locked.computed_at = timezone.now()
        locked.save(update_fields=["ranking", "computed_at", "updated_at"])
        audit_log(
            actor=job.owner,
            action="journeys.recommendations.ranked",
            target=locked,
            before=before,
            after=_summary(locked),
        )
    progress.advance()
    return _("%(n)s recommandations classées par gain.") % {"n": len(locked.recommendations)}


def _recompute_start(
    *, actor, workspace, recommendation_set, assumptions: dict | None, action: str
) -> RecommendationSet:
    """Lock the set, keep new ``assumptions`` when given (checked whole), start the job that
    ranks again, audit the change."""
    ensure_can_edit(actor, recommendation_set.organization)
    locked = RecommendationSet.objects.select_for_update().get(pk=recommendation_set.pk)
    before = {"assumptions": locked.assumptions}
    locked.assumptions = _checked(locked.assumptions if assumptions is None else assumptions)
    locked.save(update_fields=["assumptions", "updated_at"])
    _start_ranking(actor=actor, workspace=workspace, recommendation_set=locked)
    audit_log(
        actor=actor,
        action=action,
        target=locked,
        before=before,
        after={"assumptions": locked.assumptions},
    )
    return locked


@transaction.atomic
def recommendation_set_update_assumptions(
    *, actor, recommendation_set: RecommendationSet, assumptions: dict, workspace=None
) -> RecommendationSet:
    """Replace the assumptions of a set (checked whole, nothing half-taken; an assumption left
    out takes its default) and rank again with them, in the background."""
    return _recompute_start(
        actor=actor,
        workspace=workspace,
        recommendation_set=recommendation_set,
        assumptions=assumptions,
        action="journeys.recommendations.assumptions",
    )


@transaction.atomic
def recommendation_set_recompute(
    *, actor, recommendation_set: RecommendationSet, workspace=None
) -> RecommendationSet:
    """Rank again with the same assumptions (after the log or the designed journey
    changed), in the background."""
    return _recompute_start(
        actor=actor,
        workspace=workspace,
        recommendation_set=recommendation_set,
        assumptions=None,
        action="journeys.recommendations.recompute",
    )


@transaction.atomic
def recommendation_set_delete(*, actor, recommendation_set: RecommendationSet) -> None:
    """Delete a set (its log and designed journey stay)."""
    ensure_can_edit(actor, recommendation_set.organization)
    audit_log(
        actor=actor,
        action="journeys.recommendations.delete",
        target=recommendation_set,
        before=_summary(recommendation_set),
    )
    recommendation_set.delete()


# Deliverables --------------------------------------------------------------------------------

DELIVERABLE_JOB_KIND = "journeys.deliverable_pdf"
DELIVERABLES = {
    "segments": ("segmentation", "Livrable 1 — segmentation"),
    "journeys": ("cartes-parcours", "Livrable 2 — cartes des parcours"),
}
# Above this many events a deliverable's PDF is built in the background (segmenting 20,000
# persons takes about 15 s on the demo machine; the page would time out).
SYNC_EVENTS_MAX = 20_000


def deliverable_access(user, workspace) -> None:
    """Who may start or download a deliverable's job: a reader of the workspace organization's
    journeys."""
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, workspace.organization)


def designed_journeys_in_order(journeys):
    """``journeys`` with their phases and steps loaded in order (what the maps read)."""
    return journeys.prefetch_related(
        Prefetch(
            "phases",
            queryset=Phase.objects.order_by("order").prefetch_related(
                Prefetch("steps", queryset=Step.objects.order_by("order"))
            ),
        )
    )


SEGMENTATION_CACHE_SECONDS = 6 * 3600


def segmentation_cache_key(log: EventLog) -> str:
    """Changes whenever the log's stored events do (a new import rewrites its file)."""
    try:
        stat = (Path(settings.MEDIA_ROOT) / log.data_path).stat()
        version = f"{stat.st_mtime_ns}:{stat.st_size}"
    except OSError:
        version = "absent"
    return f"journeys:segmentation:{log.public_id}:{log.n_events}:{version}"


def segmentation_of(log: EventLog) -> reports.SegmentationReport:
    """Deliverable 1 of a kept log, kept in the cache while the log is unchanged: segmenting
    tens of thousands of persons takes seconds, and the page and its PDF read the same."""
    key = segmentation_cache_key(log)
    report = cache.get(key)
    if report is None:
        report = reports.segmentation_report(load_frame(log))
        cache.set(key, report, SEGMENTATION_CACHE_SECONDS)
    return report


def deliverable_pdf(*, organization, log_pk: int, deliverable: str) -> tuple[str, bytes]:
    """(file name, PDF) of deliverable ``deliverable`` (``segments`` or ``journeys``) on the
    ready log ``log_pk`` of ``organization``."""
    log = EventLog.objects.ready().get(pk=log_pk, organization=organization)
    stem, _label = DELIVERABLES[deliverable]
    if deliverable == "segments":
        content = reports.segmentation_pdf(organization, log, segmentation_of(log))
    else:
        journeys = designed_journeys_in_order(
            Journey.objects.filter(organization=organization).alive().order_by("title", "id")
        )
        content = reports.journeys_pdf(
            organization, log, reports.journeys_report(load_frame(log), journeys)
        )
    return f"{slugify(f'{stem}-{log.name}') or stem}.pdf", content


@transaction.atomic
def deliverable_pdf_start(*, actor, workspace, event_log: EventLog, deliverable: str):
    """Start the background job that builds a deliverable's PDF of ``event_log`` (of the
    workspace's organization); the job's page offers the file when it is ready."""
    deliverable_access(actor, workspace)
    if deliverable not in DELIVERABLES:
        raise ValidationError(_("Livrable inconnu."))
    if event_log.organization_id != workspace.organization_id:
        raise ValidationError({"event_log": _("Journal d'événements introuvable.")})
    _stem, label = DELIVERABLES[deliverable]
    return job_start(
        actor=actor,
        workspace=workspace,
        kind=DELIVERABLE_JOB_KIND,
        label=f"{label} « {event_log.name} » (PDF)",
        params={"log_pk": event_log.pk, "deliverable": deliverable},
    )
