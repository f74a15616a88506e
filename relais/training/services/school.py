"""School databases: generating a template workspace full of realistic customers.

``school_base_generate`` creates a *template* workspace, fills it with the demo generator
(``relais.crm.demo.generate_customers``) for a reference day, and stores the ``SchoolBase``
with the list of deliberate anomalies (``Anomaly`` rows) that trainers use to score cleaning
and de-duplication exercises. Sandboxes are cloned from the template (see ``sandboxes``).
"""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission, user_has_permission
from relais.core.audit.services import audit_log
from relais.core.jobs.services import job_start
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
from relais.crm.demo import generate_customers
from relais.training.models import Anomaly, AnomalyKind, SchoolBase
from relais.training.permissions import Permission

MAX_CUSTOMERS = 100_000
DEFAULT_CUSTOMERS = 600
MAX_SEED = 2_147_483_647
JOB_KIND = "training.school_generate"


def school_base_check(*, name: str, customers: int, seed: int) -> str:
    """The cleaned name; raises ``ValidationError`` (French, one line) on bad input."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Donnez un nom à la base école.")
    elif len(name) > 200:
        errors["name"] = _("Le nom de la base école ne doit pas dépasser 200 caractères.")
    if not 0 <= customers <= MAX_CUSTOMERS:
        errors["customers"] = _("Le nombre de clients doit être compris entre 0 et 100 000.")
    if not 0 <= seed <= MAX_SEED:
        errors["seed"] = _("La graine doit être un entier positif.")
    if errors:
        raise ValidationError(errors)
    return name


@transaction.atomic
def school_base_generate(
    *,
    actor,
    organization: Organization,
    name: str,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SchoolBase:
    """Create a template workspace ``name`` in ``organization`` with ``customers`` generated
    customers dated for ``today`` (the reference day), and store its anomalies.

    The actor (``TRAINING_MANAGE``, of that organization) becomes a member of the template.
    All or nothing: one transaction. ``progress(done, total)`` is called after each chunk.
    """
    ensure_permission(actor, Permission.TRAINING_MANAGE)
    if not user_has_permission(actor, Permission.TRAINING_MANAGE, organization=organization):
        raise ValidationError(_("Vous ne pouvez créer une base école que dans votre organisation."))
    return school_base_generate_by_operator(
        organization=organization,
        name=name,
        customers=customers,
        seed=seed,
        today=today,
        progress=progress,
        actor=actor,
    )


@transaction.atomic
def school_base_generate_by_operator(
    *,
    organization: Organization,
    name: str,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    actor=None,
) -> SchoolBase:
    """``school_base_generate`` for the command line, whose operator holds the server: no
    account to check. The customers then have no owner."""
    name = school_base_check(name=name, customers=customers, seed=seed)
    if Workspace.objects.filter(organization=organization, name=name).exists():
        raise ValidationError({"name": _("Un espace de travail porte déjà ce nom.")})
    today = today or timezone.localdate()
    workspace = Workspace.objects.create(
        organization=organization, name=name, kind=WorkspaceKind.TEMPLATE
    )
    if actor is not None:
        Membership.objects.create(workspace=workspace, user=actor)
    anomalies: list[dict] = []
    generate_customers(
        workspace=workspace,
        count=customers,
        seed=seed,
        today=today,
        owner=actor,
        progress=progress,
        anomalies=anomalies,
    )
    school_base = SchoolBase.objects.create(
        workspace=workspace, seed=seed, reference_date=today, customer_count=customers
    )
    known = set(AnomalyKind.values)
    Anomaly.objects.bulk_create(
        [
            Anomaly(
                school_base=school_base,
                kind=anomaly["kind"],
                records=anomaly["records"],
                description=anomaly["description"],
                expected_correction=anomaly["expected_correction"],
            )
            for anomaly in anomalies
            if anomaly["kind"] in known
        ],
        batch_size=500,
    )
    audit_log(
        actor=actor,
        action="training.school_base_generate",
        target=workspace,
        workspace=workspace,
        after={
            "name": name,
            "customers": customers,
            "seed": seed,
            "reference_date": today.isoformat(),
            "anomalies": len(anomalies),
        },
    )
    return school_base


@transaction.atomic
def school_base_generate_start(*, actor, name: str, customers: int, seed: int) -> "Job":  # noqa: F821
    """Check the request now, then generate in the background; returns the job to follow."""
    ensure_permission(actor, Permission.TRAINING_MANAGE)
    if actor.organization_id is None:
        raise ValidationError(_("Votre compte n'est rattaché à aucune organisation."))
    name = school_base_check(name=name, customers=customers, seed=seed)
    if Workspace.objects.filter(organization_id=actor.organization_id, name=name).exists():
        raise ValidationError({"name": _("Un espace de travail porte déjà ce nom.")})
    return job_start(
        actor=actor,
        workspace=None,
        kind=JOB_KIND,
        label=_("Génération de la base école « %(name)s »") % {"name": name},
        params={"name": name, "customers": customers, "seed": seed},
    )
