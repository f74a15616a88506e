"""The training part of the REST API (mounted at ``/api/training/``).

A learner lists and resets their own sandboxes; a trainer lists their classes and each
learner's progress. Anything else is reported as not found (404), as on the web pages.
"""

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Router, Schema

from relais.core.api import ERROR_RESPONSES
from relais.training.selectors.classes import (
    class_get_for_manager,
    class_progress,
    classes_for_trainer,
    enrollment_get_for_reset,
    enrollments_for_learner,
)
from relais.training.services.sandboxes import sandbox_reset

router = Router(tags=["Formation"])


class SandboxOut(Schema):
    id: UUID
    name: str
    training_class: str
    materialised_for: date
    reset_count: int
    last_reset_at: datetime | None

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.sandbox.public_id

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.sandbox.name

    @staticmethod
    def resolve_training_class(obj) -> str:
        return obj.training_class.name


class ClassOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    template: str
    trainer: str
    learner_count: int

    @staticmethod
    def resolve_template(obj) -> str:
        return obj.template.name

    @staticmethod
    def resolve_trainer(obj) -> str:
        return obj.trainer.username


class ProgressOut(Schema):
    learner: str
    sandbox_id: UUID
    customer_count: int
    last_activity: datetime | None
    reset_count: int
    exercises_passed: int
    exercises_graded: int

    @staticmethod
    def resolve_learner(obj) -> str:
        return obj.enrollment.learner.username

    @staticmethod
    def resolve_sandbox_id(obj) -> UUID:
        return obj.enrollment.sandbox.public_id

    @staticmethod
    def resolve_reset_count(obj) -> int:
        return obj.enrollment.reset_count

    @staticmethod
    def resolve_exercises_passed(obj) -> int:
        return obj.passed_count

    @staticmethod
    def resolve_exercises_graded(obj) -> int:
        return len(obj.results)


@router.get(
    "sandboxes/",
    response={200: list[SandboxOut], **ERROR_RESPONSES},
    summary="Mes bacs à sable",
)
def list_my_sandboxes(request):
    return list(enrollments_for_learner(user=request.auth))


@router.post(
    "sandboxes/{uuid:sandbox_id}/reset",
    response={200: SandboxOut, **ERROR_RESPONSES},
    summary="Réinitialiser un bac à sable",
)
def reset_sandbox(request, sandbox_id: UUID):
    enrollment = enrollment_get_for_reset(user=request.auth, sandbox_public_id=sandbox_id)
    return sandbox_reset(actor=request.auth, enrollment=enrollment)


@router.get("classes/", response={200: list[ClassOut], **ERROR_RESPONSES}, summary="Mes sessions")
def list_classes(request):
    return list(classes_for_trainer(user=request.auth))


@router.get(
    "classes/{uuid:class_id}/progress",
    response={200: list[ProgressOut], **ERROR_RESPONSES},
    summary="Progression des apprenants d'une session",
)
def class_learners_progress(request, class_id: UUID):
    training_class = class_get_for_manager(user=request.auth, public_id=class_id)
    return class_progress(user=request.auth, training_class=training_class)
