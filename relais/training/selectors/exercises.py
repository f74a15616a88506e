"""Reads for exercises and results, scoped to what the user may see."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.training.models import Enrollment, Exercise, ExerciseResult, TrainingClass
from relais.training.permissions import Permission
from relais.training.selectors.classes import class_get_for_manager


def exercises_of_organization(organization_id) -> QuerySet[Exercise]:
    """The built-in catalogue and the exercises an organization wrote."""
    return Exercise.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id)
    )


def exercises_visible(*, user) -> QuerySet[Exercise]:
    """The built-in catalogue and the user's organization's own exercises."""
    return exercises_of_organization(user.organization_id)


_uuid = public_id_or_not_found


def exercise_get(*, user, public_id) -> Exercise:
    message = _("Exercice introuvable.")
    exercise = exercises_visible(user=user).filter(public_id=_uuid(public_id, message)).first()
    if exercise is None:
        raise NotFound(message)
    return exercise


def exercise_get_editable(*, user, public_id) -> Exercise:
    """A trainer edits only their organization's exercises, never the built-in ones."""
    ensure_permission(user, Permission.TRAINING_MANAGE)
    exercise = exercise_get(user=user, public_id=public_id)
    if exercise.organization_id is None or exercise.organization_id != user.organization_id:
        raise NotFound(_("Exercice introuvable."))
    return exercise


def enrollment_current(*, user, workspace=None) -> Enrollment | None:
    """The learner's enrollment whose sandbox is their current workspace, else their latest."""
    enrollments = Enrollment.objects.filter(learner=user).select_related(
        "sandbox", "training_class"
    )
    if workspace is not None:
        match = enrollments.filter(sandbox=workspace).first()
        if match is not None:
            return match
    return enrollments.order_by("-created_at").first()


def results_of(*, enrollment) -> dict[int, ExerciseResult]:
    return {r.exercise_id: r for r in ExerciseResult.objects.filter(enrollment=enrollment)}


def class_get_for_results(*, user, class_id) -> TrainingClass:
    """A class whose results the user may see: its trainer, or an administrator of its body."""
    ensure_permission(user, Permission.TRAINING_MANAGE)
    return class_get_for_manager(user=user, public_id=class_id)


def class_results(*, user, class_id):
    """``(training_class, exercises, rows)``; each row: enrollment, results per exercise, total."""
    training_class = class_get_for_results(user=user, class_id=class_id)
    exercises = list(exercises_of_organization(training_class.organization_id))
    enrollments = list(training_class.enrollments.select_related("learner"))
    results = {
        (r.enrollment_id, r.exercise_id): r
        for r in ExerciseResult.objects.filter(enrollment__in=enrollments)
    }
    rows = []
    for enrollment in enrollments:
        cells = [results.get((enrollment.pk, e.pk)) for e in exercises]
        rows.append(
            {
                "enrollment": enrollment,
                "cells": cells,
                "total": sum(c.best_score for c in cells if c),
                "max": sum(c.max_score for c in cells if c),
                "passed": sum(1 for c in cells if c and c.passed),
            }
        )
    return training_class, exercises, rows
