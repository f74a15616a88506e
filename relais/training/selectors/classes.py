"""Reads for classes and sandboxes, each checked against who is asking.

A class exists only for its trainer (and its organization's administrators); a sandbox only
for its learner and that trainer. Anything else is reported as not found.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission, organizations_with_permission
from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import organizations_where
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.workspaces.models import Workspace, WorkspaceKind
from relais.crm.models import Customer
from relais.training.models import Enrollment, ExerciseResult, TrainingClass
from relais.training.permissions import Permission
from relais.training.services.sandboxes import ensure_class_manager, may_reset


def _uuid(value) -> uuid.UUID:
    return public_id_or_not_found(value, _("Session introuvable."))


def classes_for_trainer(*, user) -> QuerySet[TrainingClass]:
    """The classes ``user`` runs: their own; every class of the organization for its
    administrators."""
    ensure_permission(user, Permission.TRAINING_MANAGE)
    classes = TrainingClass.objects.select_related("template", "trainer", "organization")
    if not user.is_superuser:
        classes = classes.filter(
            Q(trainer=user) | Q(organization__in=organizations_where(user, Role.ADMINISTRATOR))
        )
    return classes.annotate(learner_count=Count("enrollments")).order_by("-created_at", "-id")


def class_get_for_manager(*, user, public_id) -> TrainingClass:
    training_class = (
        TrainingClass.objects.select_related("template", "trainer", "organization")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if training_class is None:
        raise NotFound(_("Session introuvable."))
    ensure_class_manager(user, training_class)
    return training_class


def templates_for_class(*, user) -> QuerySet[Workspace]:
    """The school templates a trainer may open a class on: those of the organizations where
    they run trainings."""
    ensure_permission(user, Permission.TRAINING_MANAGE)
    templates = Workspace.objects.filter(kind=WorkspaceKind.TEMPLATE)
    if not user.is_superuser:
        templates = templates.filter(
            organization__in=organizations_with_permission(user, Permission.TRAINING_MANAGE)
        )
    return templates.order_by("name")


def enrollments_for_learner(*, user) -> QuerySet[Enrollment]:
    """The learner's own enrollments, with their sandbox and class."""
    ensure_permission(user, Permission.TRAINING_PRACTISE)
    return (
        Enrollment.objects.filter(learner=user)
        .select_related("training_class", "training_class__trainer", "sandbox")
        .order_by("-created_at", "-id")
    )


def enrollment_get_for_reset(*, user, sandbox_public_id) -> Enrollment:
    """The enrollment of a sandbox that ``user`` may reset (its learner or its trainer)."""
    public_id = public_id_or_not_found(sandbox_public_id, _("Bac à sable introuvable."))
    enrollment = (
        Enrollment.objects.select_related(
            "training_class", "training_class__trainer", "sandbox", "learner"
        )
        .filter(sandbox__public_id=public_id)
        .first()
    )
    if enrollment is None or not may_reset(user, enrollment):
        raise NotFound(_("Bac à sable introuvable."))
    return enrollment


@dataclass
class LearnerProgress:
    enrollment: Enrollment
    customer_count: int
    last_activity: datetime | None
    results: list = field(default_factory=list)
    exercise_count: int = 0  # the exercises of the session, attempted or not

    @property
    def passed_count(self) -> int:
        return sum(1 for result in self.results if result.passed)

    @property
    def best_total(self) -> int:
        return sum(result.best_score for result in self.results)

    @property
    def max_total(self) -> int:
        return sum(result.max_score for result in self.results)


def class_progress(*, user, training_class: TrainingClass) -> list[LearnerProgress]:
    """Each learner of the class with their sandbox's size, last change, resets and scores."""
    ensure_class_manager(user, training_class)
    customers = Customer.objects.filter(workspace=OuterRef("sandbox_id")).order_by()
    enrollments = (
        training_class.enrollments.select_related("learner", "sandbox")
        .annotate(
            customer_count=Subquery(
                customers.values("workspace").annotate(n=Count("id")).values("n")[:1]
            ),
            last_activity=Subquery(
                customers.values("workspace").annotate(at=Max("updated_at")).values("at")[:1]
            ),
        )
        .order_by("learner__last_name", "learner__first_name", "learner__username")
    )
    from relais.training.selectors.exercises import exercises_of_organization

    exercise_count = exercises_of_organization(training_class.organization_id).count()
    results: dict[int, list] = {}
    for result in ExerciseResult.objects.filter(
        enrollment__training_class=training_class
    ).select_related("exercise"):
        results.setdefault(result.enrollment_id, []).append(result)
    return [
        LearnerProgress(
            enrollment=enrollment,
            customer_count=enrollment.customer_count or 0,
            last_activity=enrollment.last_activity,
            results=results.get(enrollment.pk, []),
            exercise_count=exercise_count,
        )
        for enrollment in enrollments
    ]
