"""Designed journeys: one function per business action, each transactional, each checking that
the actor may edit the organization's journeys (``actor=None`` is the system: demo, commands).

Errors are ``ValidationError`` in French, keyed by field where one is to blame. Orders are kept
dense (1, 2, 3…) within a journey's phases and a phase's steps.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log, snapshot
from relais.journeys.access import ensure_can_edit
from relais.journeys.models import Actor, Channel, DurationUnit, Journey, Phase, Step
from relais.journeys.templates_catalogue import TEMPLATES

TITLE_MAX = 160
PHASE_NAME_MAX = 120
STEP_NAME_MAX = 160
TEXT_MAX = 4000
MAX_PHASES = 30
MAX_STEPS_PER_PHASE = 40
DURATION_MAX = {DurationUnit.MINUTES: 60 * 24 * 7, DurationUnit.DAYS: 730}
UP, DOWN = "up", "down"


def _text(value, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Indiquez %(label)s.") % {"label": label}})
    if len(value) > max_length:
        raise ValidationError({field: _("%(max)s caractères au plus.") % {"max": max_length}})
    return value


def _audit(actor, action: str, target, before=None, after=None) -> None:
    audit_log(actor=actor, action=action, target=target, before=before, after=after)


# Journeys ---------------------------------------------------------------------------------


def _journey_fields(title, public, procedure, description) -> dict:
    return {
        "title": _text(
            title,
            field="title",
            label=_("le titre du parcours"),
            max_length=TITLE_MAX,
            required=True,
        ),
        "public": _text(public, field="public", label=_("le public"), max_length=160),
        "procedure": _text(procedure, field="procedure", label=_("la démarche"), max_length=160),
        "description": _text(
            description, field="description", label=_("la description"), max_length=TEXT_MAX
        ),
    }


@transaction.atomic
def journey_create(
    *,
    actor,
    organization,
    title: str,
    public: str = "",
    procedure: str = "",
    description: str = "",
) -> Journey:
    """Create an empty journey of ``organization``."""
    ensure_can_edit(actor, organization)
    journey = Journey.objects.create(
        organization=organization, **_journey_fields(title, public, procedure, description)
    )
    _audit(actor, "journeys.journey.create", journey, after=snapshot(journey))
    return journey


@transaction.atomic
def journey_update(
    *,
    actor,
    journey: Journey,
    title: str,
    public: str = "",
    procedure: str = "",
    description: str = "",
) -> Journey:
    """Change a journey's title, public, procedure and description."""
    ensure_can_edit(actor, journey.organization)
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    if journey.deleted_at is not None:
        raise ValidationError(_("Ce parcours a été supprimé : restaurez-le pour le modifier."))
    before = snapshot(journey)
    for name, value in _journey_fields(title, public, procedure, description).items():
        setattr(journey, name, value)
    journey.save()
    _audit(actor, "journeys.journey.update", journey, before=before, after=snapshot(journey))
    return journey


def _copy_phases(source: Journey, target: Journey) -> None:
    for phase in source.phases.order_by("order").prefetch_related("steps"):
        copy = Phase.objects.create(journey=target, order=phase.order, name=phase.name)
        Step.objects.bulk_create(
            Step(
                phase=copy,
                order=step.order,
                name=step.name,
                activity=step.activity,
                channel=step.channel,
                actor=step.actor,
                duration_value=step.duration_value,
                duration_unit=step.duration_unit,
                documents=step.documents,
                pain_points=step.pain_points,
                opportunities=step.opportunities,
                emotion=step.emotion,
            )
            for step in phase.steps.order_by("order")
        )


@transaction.atomic
def journey_duplicate(*, actor, journey: Journey) -> Journey:
    """A copy of the journey, its phases and steps, titled « … (copie) »."""
    ensure_can_edit(actor, journey.organization)
    suffix = _(" (copie)")
    title = journey.title[: TITLE_MAX - len(suffix)] + suffix
    copy = Journey.objects.create(
        organization=journey.organization,
        title=title,
        public=journey.public,
        procedure=journey.procedure,
        description=journey.description,
        template_key=journey.template_key,
    )
    _copy_phases(journey, copy)
    _audit(actor, "journeys.journey.duplicate", copy, after={"source": str(journey.public_id)})
    return copy


@transaction.atomic
def journey_delete(*, actor, journey: Journey) -> Journey:
    """Move the journey to the bin: hidden from the lists, restorable with ``journey_restore``."""
    ensure_can_edit(actor, journey.organization)
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    if journey.deleted_at is None:
        journey.deleted_at = timezone.now()
        journey.save(update_fields=["deleted_at", "updated_at"])
        _audit(actor, "journeys.journey.delete", journey)
    return journey


@transaction.atomic
def journey_restore(*, actor, journey: Journey) -> Journey:
    """Bring a deleted journey back, with its phases and steps as they were."""
    ensure_can_edit(actor, journey.organization)
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    if journey.deleted_at is not None:
        journey.deleted_at = None
        journey.save(update_fields=["deleted_at", "updated_at"])
        _audit(actor, "journeys.journey.restore", journey)
    return journey


@transaction.atomic
def journey_from_template(template_key: str, organization, *, actor=None) -> Journey:
    """A new journey of ``organization`` built from a template of ``templates_catalogue``."""
    template = TEMPLATES.get(template_key)
    if template is None:
        raise ValidationError({"template": _("Ce modèle de parcours n'existe pas.")})
    journey = journey_create(
        actor=actor,
        organization=organization,
        title=template["title"],
        public=template["public"],
        procedure=template["procedure"],
        description=template["description"],
    )
    journey.template_key = template_key
    journey.save(update_fields=["template_key"])
    for phase_order, (phase_name, steps) in enumerate(template["phases"], start=1):
        phase = Phase.objects.create(journey=journey, order=phase_order, name=phase_name)
        for step_order, fields in enumerate(steps, start=1):
            Step.objects.create(phase=phase, order=step_order, **_step_fields(fields))
    return journey


# Phases -----------------------------------------------------------------------------------


def _editable(journey: Journey) -> None:
    if journey.deleted_at is not None:
        raise ValidationError(_("Ce parcours a été supprimé : restaurez-le pour le modifier."))


def _touch(journey: Journey) -> None:
    Journey.objects.filter(pk=journey.pk).update(updated_at=timezone.now())


@transaction.atomic
def phase_add(*, actor, journey: Journey, name: str) -> Phase:
    """Add a phase at the end of the journey."""
    ensure_can_edit(actor, journey.organization)
    _editable(journey)
    name = _text(
        name, field="name", label=_("le nom de la phase"), max_length=PHASE_NAME_MAX, required=True
    )
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    last = journey.phases.aggregate(last=Max("order"))["last"] or 0
    if journey.phases.count() >= MAX_PHASES:
        raise ValidationError(_("Un parcours compte %(max)s phases au plus.") % {"max": MAX_PHASES})
    phase = Phase.objects.create(journey=journey, order=last + 1, name=name)
    _touch(journey)
    _audit(actor, "journeys.phase.add", journey, after={"phase": name})
    return phase


@transaction.atomic
def phase_update(*, actor, phase: Phase, name: str) -> Phase:
    """Rename a phase."""
    ensure_can_edit(actor, phase.journey.organization)
    _editable(phase.journey)
    phase.name = _text(
        name, field="name", label=_("le nom de la phase"), max_length=PHASE_NAME_MAX, required=True
    )
    phase.save(update_fields=["name"])
    _touch(phase.journey)
    return phase


def _swap(model, first, second) -> None:
    """Exchange the orders of two siblings without breaking the unique (parent, order)."""
    first_order, second_order = first.order, second.order
    model.objects.filter(pk=first.pk).update(order=0)
    model.objects.filter(pk=second.pk).update(order=first_order)
    model.objects.filter(pk=first.pk).update(order=second_order)
    first.order, second.order = second_order, first_order


def _renumber(queryset) -> None:
    """Dense orders 1..n, in the current order (after a deletion)."""
    rows = list(queryset.order_by("order").values_list("pk", "order"))
    if not rows:
        return
    offset = max(order for _pk, order in rows) + 1
    # Two passes: out of the way, then into place, so no two rows ever share an order.
    queryset.update(order=F("order") + offset)
    model = queryset.model
    for position, (pk, _order) in enumerate(rows, start=1):
        model.objects.filter(pk=pk).update(order=position)


@transaction.atomic
def phase_move(*, actor, phase: Phase, direction: str) -> Phase:
    """Move a phase one place up or down; at either end it stays where it is."""
    ensure_can_edit(actor, phase.journey.organization)
    _editable(phase.journey)
    if direction not in (UP, DOWN):
        raise ValidationError(_("Sens de déplacement inconnu."))
    siblings = Phase.objects.select_for_update().filter(journey_id=phase.journey_id)
    phase = siblings.get(pk=phase.pk)
    if direction == UP:
        neighbour = siblings.filter(order__lt=phase.order).order_by("-order").first()
    else:
        neighbour = siblings.filter(order__gt=phase.order).order_by("order").first()
    if neighbour is not None:
        _swap(Phase, phase, neighbour)
        _touch(phase.journey)
    return phase


@transaction.atomic
def phase_delete(*, actor, phase: Phase) -> None:
    """Delete a phase and its steps; the following phases move up."""
    ensure_can_edit(actor, phase.journey.organization)
    _editable(phase.journey)
    journey = phase.journey
    _audit(
        actor,
        "journeys.phase.delete",
        journey,
        before={"phase": phase.name, "steps": [s.name for s in phase.steps.all()]},
    )
    phase.delete()
    _renumber(Phase.objects.filter(journey=journey))
    _touch(journey)


# Steps ------------------------------------------------------------------------------------


def _step_fields(data: dict) -> dict:
    """Validated step fields from ``data`` (a form's cleaned data or a template's step)."""
    errors = {}
    fields = {}
    try:
        fields["name"] = _text(
            data.get("name"),
            field="name",
            label=_("le nom de l'étape"),
            max_length=STEP_NAME_MAX,
            required=True,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        fields["activity"] = _text(
            data.get("activity"), field="activity", label=_("l'activité"), max_length=STEP_NAME_MAX
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    channel = data.get("channel") or ""
    if channel not in Channel.values:
        errors["channel"] = [_("Choisissez un canal dans la liste.")]
    fields["channel"] = channel
    actor = data.get("actor") or Actor.CUSTOMER
    if actor not in Actor.values:
        errors["actor"] = [_("Choisissez un acteur dans la liste.")]
    fields["actor"] = actor
    unit = data.get("duration_unit") or DurationUnit.MINUTES
    if unit not in DurationUnit.values:
        errors["duration_unit"] = [_("Choisissez minutes ou jours.")]
        unit = DurationUnit.MINUTES
    fields["duration_unit"] = unit
    value = data.get("duration_value")
    if value in ("", None):
        value = None
    else:
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors["duration_value"] = [_("Indiquez une durée en nombre entier.")]
            value = None
        else:
            if value < 0:
                errors["duration_value"] = [_("Une durée ne peut pas être négative.")]
            elif value > DURATION_MAX[unit]:
                errors["duration_value"] = [
                    _("Durée trop longue : %(max)s %(unit)s au plus.")
                    % {"max": DURATION_MAX[unit], "unit": DurationUnit(unit).label}
                ]
    fields["duration_value"] = value
    for name, label in (
        ("documents", _("les documents")),
        ("pain_points", _("les irritants")),
        ("opportunities", _("les pistes")),
    ):
        try:
            fields[name] = _text(data.get(name), field=name, label=label, max_length=TEXT_MAX)
        except ValidationError as error:
            errors.update(error.message_dict)
    emotion = data.get("emotion", 0)
    try:
        emotion = int(emotion if emotion not in ("", None) else 0)
    except (TypeError, ValueError):
        emotion = None
    if emotion is None or not -2 <= emotion <= 2:
        errors["emotion"] = [_("Le ressenti va de -2 (très négatif) à +2 (très positif).")]
    fields["emotion"] = emotion
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def step_add(*, actor, phase: Phase, fields: dict) -> Step:
    """Add a step at the end of ``phase``; ``fields`` as in ``_step_fields``."""
    ensure_can_edit(actor, phase.journey.organization)
    _editable(phase.journey)
    fields = _step_fields(fields)
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    if phase.steps.count() >= MAX_STEPS_PER_PHASE:
        raise ValidationError(
            _("Une phase compte %(max)s étapes au plus.") % {"max": MAX_STEPS_PER_PHASE}
        )
    last = phase.steps.aggregate(last=Max("order"))["last"] or 0
    step = Step.objects.create(phase=phase, order=last + 1, **fields)
    _touch(phase.journey)
    _audit(actor, "journeys.step.add", phase.journey, after={"step": step.name})
    return step


@transaction.atomic
def step_update(*, actor, step: Step, fields: dict) -> Step:
    """Change every field of a step (its place does not change)."""
    journey = step.phase.journey
    ensure_can_edit(actor, journey.organization)
    _editable(journey)
    fields = _step_fields(fields)
    before = snapshot(step)
    for name, value in fields.items():
        setattr(step, name, value)
    step.save()
    _touch(journey)
    _audit(actor, "journeys.step.update", journey, before=before, after=snapshot(step))
    return step


@transaction.atomic
def step_move(*, actor, step: Step, direction: str) -> Step:
    """Move a step one place up or down; past the first (last) step of its phase it goes to
    the end of the previous phase (the start of the next one). At the journey's ends it stays."""
    journey = step.phase.journey
    ensure_can_edit(actor, journey.organization)
    _editable(journey)
    if direction not in (UP, DOWN):
        raise ValidationError(_("Sens de déplacement inconnu."))
    step = Step.objects.select_for_update().select_related("phase").get(pk=step.pk)
    siblings = Step.objects.filter(phase_id=step.phase_id)
    if direction == UP:
        neighbour = siblings.filter(order__lt=step.order).order_by("-order").first()
    else:
        neighbour = siblings.filter(order__gt=step.order).order_by("order").first()
    if neighbour is not None:
        _swap(Step, step, neighbour)
    else:
        phases = Phase.objects.filter(journey_id=journey.pk)
        if direction == UP:
            target = phases.filter(order__lt=step.phase.order).order_by("-order").first()
        else:
            target = phases.filter(order__gt=step.phase.order).order_by("order").first()
        if target is None:
            return step
        if target.steps.count() >= MAX_STEPS_PER_PHASE:
            raise ValidationError(_("La phase « %(name)s » est pleine.") % {"name": target.name})
        source = step.phase
        if direction == UP:
            order = (target.steps.aggregate(last=Max("order"))["last"] or 0) + 1
        else:
            # Make room at the top of the next phase.
            _shift(target)
            order = 1
        Step.objects.filter(pk=step.pk).update(phase=target, order=order)
        step.phase, step.order = target, order
        _renumber(Step.objects.filter(phase=source))
    _touch(journey)
    return step


def _shift(phase: Phase) -> None:
    """Every step of ``phase`` one place down (order + 1), leaving order 1 free."""
    steps = list(phase.steps.order_by("-order").values_list("pk", "order"))
    offset = (steps[0][1] + 1) if steps else 0
    Step.objects.filter(phase=phase).update(order=F("order") + offset)
    for pk, order in steps:
        Step.objects.filter(pk=pk).update(order=order + 1)


@transaction.atomic
def step_delete(*, actor, step: Step) -> None:
    """Delete a step; the following steps of its phase move up."""
    phase = step.phase
    ensure_can_edit(actor, phase.journey.organization)
    _editable(phase.journey)
    _audit(actor, "journeys.step.delete", phase.journey, before=snapshot(step))
    step.delete()
    _renumber(Step.objects.filter(phase=phase))
    _touch(phase.journey)
