"""Retraining the routing model from the network's own decisions.

Every request a body took in charge or answered is a confirmed routing: its text and the
bodies that were competent in the end (a dispatcher's override included). Every "pas pour
moi" says which body was *not* competent (``-CODE``). ``training_examples`` reads them from
the database; ``routing_retrain`` trains on them (on top of the shipped examples), measures
the new model and the shipped one on the same held-out confirmed routings, writes the model
file under ``VAR_DIR/routing/networks/`` and makes it the network's active model. It runs as
a background job (``routing_retrain_start``, page « Modèle d'orientation ») or from the
command line (``manage.py retrain_routing``). Deterministic: the same confirmed routings
give the same model version; nothing is downloaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import organizations_with_permission
from relais.core.audit.services import audit_log
from relais.core.exceptions import AccessDenied
from relais.frontdoor import permissions as perms
from relais.frontdoor.models import AssignmentState, Network, Request, RoutingModel

RETRAIN_JOB_KIND = "frontdoor.routing_retrain"
# One confirmed routing in HOLDOUT_EVERY is kept aside to measure the models.
HOLDOUT_EVERY = 5


def training_examples(network: Network) -> list[tuple[str, list[str]]]:
    """The network's confirmed routings, oldest first: ``(text, codes)`` where ``codes``
    are the bodies that took the request in charge or answered it, and ``-CODE`` the bodies
    that answered "pas pour moi"."""
    requests = (
        Request.objects.filter(network=network, assignments__isnull=False)
        .distinct()
        .order_by("received_at", "id")
        .prefetch_related("assignments__body")
    )
    examples = []
    for request in requests:
        competent, refused = [], []
        for assignment in request.assignments.all():
            if assignment.state in (AssignmentState.ACCEPTED, AssignmentState.ANSWERED):
                competent.append(assignment.body.code)
            elif assignment.state == AssignmentState.REFUSED:
                refused.append(assignment.body.code)
        refused = [code for code in refused if code not in competent]
        if competent or refused:
            codes = sorted(set(competent)) + [f"-{code}" for code in sorted(set(refused))]
            examples.append((f"{request.subject}\n{request.text}", codes))
    return examples


def top1_accuracy(model, examples) -> float | None:
    """The share of ``examples`` (with a competent body) whose best body is competent."""
    from relais.frontdoor.routing import route_many

    scored = [(text, codes) for text, codes in examples if any(c[0] != "-" for c in codes)]
    if not scored:
        return None
    decisions = route_many([text for text, _codes in scored], model=model)
    hits = sum(
        1
        for decision, (_text, codes) in zip(decisions, scored, strict=True)
        if decision.codes and decision.codes[0] in codes
    )
    return hits / len(scored)


def models_dir(network: Network) -> Path:
    return Path(settings.VAR_DIR) / "routing" / "networks" / network.slug


_CACHE_LOCK = threading.Lock()
_LOADED: dict[str, object] = {}


def active_model(network: Network):
    """The network's active retrained model, or ``None`` (the shipped model then routes).
    Loaded once per process and version; a missing or damaged file falls back to ``None``."""
    row = RoutingModel.objects.filter(network=network, active=True).only("version", "path").first()
    if row is None:
        return None
    with _CACHE_LOCK:
        model = _LOADED.get(row.path)
        if model is None:
            from relais.frontdoor.routing import load_model

            try:
                model = load_model(Path(row.path))
            except (OSError, ValueError, EOFError):
                return None
            if model.version != row.version:
                return None
            _LOADED.clear()  # one active model per network: keep memory bounded
            _LOADED[row.path] = model
        return model


def ensure_may_retrain(actor, network: Network) -> None:
    if (
        not organizations_with_permission(actor, perms.TRAIN)
        .filter(pk=network.organization_id)
        .exists()
    ):
        raise AccessDenied(
            _("Seuls les administrateurs du réseau réentraînent le modèle d'orientation.")
        )


def routing_retrain(
    *, actor, network: Network, progress: Callable[[int, str], None] | None = None
) -> RoutingModel:
    """Retrain ``network``'s routing model on its confirmed routings and make it active.

    Steps (``progress(step, label)``, five in all): read the confirmed routings; train on
    four fifths of them; measure that model and the shipped one on the remaining fifth
    (top-1 accuracy); train on all of them; save and activate. Returns the new row.
    """
    from relais.frontdoor.routing import default_model, save_model, train_model

    report = progress or (lambda _step, _label: None)
    report(1, _("Lecture des orientations confirmées"))
    examples = training_examples(network)
    held_out = examples[HOLDOUT_EVERY - 1 :: HOLDOUT_EVERY]
    kept = [e for i, e in enumerate(examples) if (i + 1) % HOLDOUT_EVERY]
    base = default_model()
    report(2, _("Entraînement sur les quatre cinquièmes"))
    # Nothing held out (fewer than five confirmed routings): nothing to measure.
    trial = train_model(kept, base=base) if kept and held_out else base
    report(3, _("Mesure sur le cinquième mis de côté"))
    accuracy = top1_accuracy(trial, held_out)
    baseline = top1_accuracy(base, held_out)
    report(4, _("Entraînement sur toutes les orientations confirmées"))
    model = train_model(examples, base=base) if examples else base
    report(5, _("Enregistrement du modèle"))
    path = save_model(model, models_dir(network) / f"{model.version}.joblib")
    with transaction.atomic():
        Network.objects.select_for_update().filter(pk=network.pk).first()
        RoutingModel.objects.filter(network=network, active=True).update(active=False)
        row = RoutingModel.objects.create(
            network=network,
            version=model.version,
            path=str(path),
            examples=len(examples),
            accuracy=accuracy,
            baseline_accuracy=baseline,
            evaluated_on=len(held_out),
            active=True,
            trained_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(
            actor=actor,
            action="frontdoor.routing.retrain",
            target=row,
            after={
                "version": model.version,
                "examples": len(examples),
                "accuracy": accuracy,
                "baseline_accuracy": baseline,
            },
            workspace=network.workspace,
        )
    return row


def routing_retrain_start(*, actor, network: Network):
    """Start the retraining as a background job (kernel jobs: progress, cancel, notice
    when done). Only an administrator of the network's host organization may."""
    from relais.core.jobs.services import job_start

    ensure_may_retrain(actor, network)
    return job_start(
        actor=actor,
        workspace=network.workspace,
        kind=RETRAIN_JOB_KIND,
        label=_("Réentraînement du modèle d'orientation — %(network)s") % {"network": network},
        params={"network_id": network.pk},
    )


def retrain_job_access(user, workspace) -> None:
    """The job kind's check: an administrator of a network whose workspace this is."""
    networks = Network.objects.filter(workspace=workspace)
    allowed = organizations_with_permission(user, perms.TRAIN)
    if workspace is None or not networks.filter(organization__in=allowed).exists():
        raise AccessDenied(_("Réservé aux administrateurs du réseau."))
