"""Exercises: installing the catalogue, opening an exercise, grading it, trainers' own ones."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission, user_has_permission
from relais.core.exceptions import AccessDenied, NotFound
from relais.training import grading
from relais.training.catalogue import CATALOGUE
from relais.training.models import Enrollment, Exercise, ExerciseResult
from relais.training.permissions import Permission


@transaction.atomic
def exercise_catalogue_install(*, using: str = "default") -> int:
    """Create or refresh the built-in exercises (``organization`` empty). Idempotent.

    Returns how many exercises were created.
    """
    created = 0
    for position, item in enumerate(CATALOGUE, start=1):
        fields = {
            "title": item["title"],
            "instructions": item["instructions"],
            "category": item["category"],
            "checks": grading.validate_checks(
                item["checks"], exercise_target_kind=item["target_kind"]
            ),
            "target_kind": item["target_kind"],
            "position": position * 10,
        }
        exercises = Exercise.objects.db_manager(using)
        exercise = exercises.filter(organization__isnull=True, code=item["code"]).first()
        if exercise is None:
            exercises.create(organization=None, code=item["code"], **fields)
            created += 1
        elif any(getattr(exercise, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(exercise, key, value)
            exercise.save(using=using)
    return created


def exercise_catalogue_ensure(*, using: str = "default") -> None:
    """Install the built-in catalogue if it is missing or incomplete (it is data, not a
    migration: exercises added by a new version appear without a command)."""
    installed = set(
        Exercise.objects.db_manager(using)
        .filter(organization__isnull=True)
        .values_list("code", flat=True)
    )
    if not {item["code"] for item in CATALOGUE} <= installed:
        exercise_catalogue_install(using=using)


def _ensure_learner(actor, enrollment: Enrollment, exercise: Exercise) -> None:
    # Another learner's enrollment, or an exercise of another body, simply does not exist.
    if enrollment.learner_id != getattr(actor, "pk", None):
        raise NotFound(_("Exercice introuvable."))
    ensure_permission(actor, Permission.TRAINING_PRACTISE, enrollment.sandbox)
    organization_id = enrollment.training_class.organization_id
    if exercise.organization_id not in (None, organization_id):
        raise NotFound(_("Exercice introuvable."))


def exercise_started_at(*, enrollment: Enrollment, result: ExerciseResult):
    """When the learner's work on this exercise began: first opening or last sandbox reset."""
    moments = [m for m in (result.opened_at, enrollment.last_reset_at) if m]
    return max(moments) if moments else None


def exercise_target(*, enrollment: Enrollment, exercise: Exercise, result: ExerciseResult) -> dict:
    """The learner's target record for ``exercise``: the one already drawn while it exists.

    A reset re-creates the records: a target that vanished is drawn again, the same way for
    the same enrollment, exercise and reset, so a page can show it before anything is saved.
    """
    if not exercise.target_kind:
        return result.target
    workspace = enrollment.sandbox
    if result.target and grading.target_record(result.target, workspace) is not None:
        return result.target
    return grading.target_pick(
        kind=exercise.target_kind,
        workspace=workspace,
        salt=f"{enrollment.pk}:{exercise.code}:{enrollment.reset_count}",
    )


def exercise_preview(*, actor, enrollment: Enrollment, exercise: Exercise) -> ExerciseResult:
    """The learner's result for ``exercise`` as a page shows it, without writing anything.

    Before the learner starts, an unsaved result with the target ``exercise_open`` will keep.
    """
    _ensure_learner(actor, enrollment, exercise)
    result = ExerciseResult.objects.filter(enrollment=enrollment, exercise=exercise).first()
    if result is None:
        result = ExerciseResult(enrollment=enrollment, exercise=exercise)
    result.target = exercise_target(enrollment=enrollment, exercise=exercise, result=result)
    return result


@transaction.atomic
def exercise_open(*, actor, enrollment: Enrollment, exercise: Exercise) -> ExerciseResult:
    """Start (or resume) an exercise: record when, and pick the learner's target record."""
    _ensure_learner(actor, enrollment, exercise)
    result, _created = ExerciseResult.objects.select_for_update().get_or_create(
        enrollment=enrollment, exercise=exercise
    )
    changed = []
    if result.opened_at is None:
        result.opened_at = timezone.now()
        changed.append("opened_at")
    target = exercise_target(enrollment=enrollment, exercise=exercise, result=result)
    if target != result.target:
        result.target = target
        changed.append("target")
    if changed:
        result.save()
    return result


@transaction.atomic
def exercise_check(
    *, actor, enrollment: Enrollment, exercise: Exercise, answer: str = ""
) -> ExerciseResult:
    """Grade the learner's sandbox for ``exercise``; keep the latest score and the best one."""
    result = exercise_open(actor=actor, enrollment=enrollment, exercise=exercise)
    answer = (answer or "").strip()[:200]
    outcome = grading.grade(
        checks=exercise.checks,
        workspace=enrollment.sandbox,
        target=result.target,
        since=exercise_started_at(enrollment=enrollment, result=result),
        answer=answer,
    )
    result.score = outcome.score
    result.max_score = outcome.max_score
    result.best_score = max(result.best_score, outcome.score)
    result.passed = result.passed or outcome.passed
    result.feedback = outcome.feedback
    result.attempts += 1
    result.answer = answer
    result.checked_at = timezone.now()
    result.save()
    return result


def _clean(data: dict, checks) -> dict:
    errors = {}
    kind = data.get("target_kind") or ""
    if kind and kind not in grading.target_kinds():
        errors["target_kind"] = [_("Type de cible inconnu.")]
    try:
        checks = grading.validate_checks(checks, exercise_target_kind=kind)
    except grading.TargetKindMismatch as exc:
        errors.setdefault("target_kind", []).append(str(exc))
    except grading.CheckError as exc:
        errors["checks"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return {
        "title": data["title"],
        "instructions": data["instructions"],
        "category": data.get("category", ""),
        "target_kind": kind,
        "checks": checks,
    }


def _ensure_manages_home_organization(actor) -> None:
    # Exercises belong to the trainer's home organization: they must run trainings there.
    if actor.organization_id is not None and not user_has_permission(
        actor, Permission.TRAINING_MANAGE, organization=actor.organization_id
    ):
        raise AccessDenied(_("Votre rôle ne permet pas cette action."))


@transaction.atomic
def exercise_create(*, actor, data: dict, checks: list) -> Exercise:
    """A trainer's own exercise, for their (home) organization, where they must run trainings;
    ``checks`` in the grading language."""
    ensure_permission(actor, Permission.TRAINING_MANAGE)
    _ensure_manages_home_organization(actor)
    fields = _clean(data, checks)
    base = (data.get("code") or "").strip() or "exercice"
    code, n = base[:70], 1
    while Exercise.objects.filter(organization=actor.organization, code=code).exists():
        n += 1
        code = f"{base[:70]}-{n}"
    return Exercise.objects.create(
        organization=actor.organization,
        author=actor,
        code=code,
        position=1000,
        **fields,
    )


@transaction.atomic
def exercise_update(*, actor, exercise: Exercise, data: dict, checks: list) -> Exercise:
    ensure_permission(actor, Permission.TRAINING_MANAGE)
    if exercise.organization_id is None or exercise.organization_id != actor.organization_id:
        raise NotFound(_("Exercice introuvable."))
    _ensure_manages_home_organization(actor)
    for key, value in _clean(data, checks).items():
        setattr(exercise, key, value)
    exercise.save()
    return exercise
