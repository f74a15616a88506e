"""The training part of the demo: a school base, a class, and the learner's sandbox cloned.

``manage.py load_demo`` calls ``demo_load``: the live dealership and the accounts come from
``relais.crm.demo.platform``; this module adds what only the training app knows about.
"""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from relais.core.knowledge.models import Entry
from relais.core.workspaces.cloning import workspace_records_delete
from relais.core.workspaces.models import Membership, Workspace
from relais.crm.demo import platform
from relais.crm.demo.knowledge import knowledge_demo_load
from relais.training.models import Enrollment, TrainingClass
from relais.training.services.exercises import exercise_catalogue_install
from relais.training.services.sandboxes import class_create, sandbox_create
from relais.training.services.school import school_base_generate

CLASS_NAME = "Session de démonstration"


@transaction.atomic
def demo_delete() -> bool:
    """Remove the demo organization, its classes and sandboxes first (they protect the
    school base and the accounts)."""
    organization = platform.demo_organization()
    if organization is None:
        return False
    classes = TrainingClass.objects.filter(organization=organization)
    sandboxes = list(
        Workspace.objects.filter(enrollment__training_class__in=classes).order_by("pk")
    )
    Enrollment.objects.filter(training_class__in=classes).delete()
    classes.delete()
    # Records go set-based: the platform's deletion would walk them through the ORM.
    for workspace in [
        *sandboxes,
        *organization.workspaces.exclude(pk__in=[w.pk for w in sandboxes]),
    ]:
        workspace_records_delete(workspace)
    # The demo's knowledge entries protect their organization (an entry outlives a workspace).
    Entry.objects.filter(organization=organization).delete()
    return platform.demo_delete()


@transaction.atomic
def demo_load(
    *,
    customers: int = 300,
    template_customers: int = 600,
    seed: int = 2025,
    today: date | None = None,
    replace: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
):
    """The whole demo: the platform's organization, dealership and accounts, then a school
    base of ``template_customers`` customers, the built-in exercises, the class "Session de démonstration" run by
    ``formateur`` and the sandbox of ``apprenant`` cloned from the base.

    Returns what ``relais.crm.demo.platform.demo_load`` returns. Raises ``ValidationError``
    (French message) on bad input; nothing is written then.
    """
    if template_customers < 0:
        raise ValidationError("Le nombre de clients à générer doit être positif ou nul.")
    if replace:
        demo_delete()
    today = today or timezone.localdate()
    organization, accounts, users = platform.demo_load(
        customers=customers, seed=seed, today=today, replace=replace, progress=progress
    )
    trainer = users["formateur"]
    knowledge_demo_load(
        organization=organization,
        author=users["agent"],
        validator=users["superviseur"],
        today=today,
    )
    exercise_catalogue_install()
    school = school_base_generate(
        actor=trainer,
        organization=organization,
        name=platform.TEMPLATE,
        customers=template_customers,
        seed=seed + 1,
        today=today,
        progress=(lambda done, total: progress(platform.TEMPLATE, done, total))
        if progress
        else None,
    )
    training_class = class_create(
        actor=trainer, organization=organization, name=CLASS_NAME, template=school.workspace
    )
    enrollment = sandbox_create(
        actor=trainer, training_class=training_class, learner=users["apprenant"], today=today
    )
    workspaces = {platform.TEMPLATE: school.workspace, platform.SANDBOX: enrollment.sandbox}
    for account in accounts:
        for name in account.workspaces:
            if name in workspaces:
                Membership.objects.get_or_create(
                    workspace=workspaces[name], user=users[account.username]
                )
    return organization, accounts, users
