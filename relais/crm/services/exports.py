"""CSV export of the customer list, run as a background job with progress."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.downloads import csv_content, csv_safe
from relais.core.jobs.models import Job
from relais.core.jobs.services import JobProgress, job_start
from relais.core.workspaces.models import Workspace
from relais.crm import selectors
from relais.crm.permissions import Permission

EXPORT_JOB_KIND = "crm.customer_export"
CHUNK_SIZE = 500


@dataclass(frozen=True)
class CsvExport:
    content: bytes
    rows: int


def _yes_no(value: bool) -> str:
    return _("Oui") if value else _("Non")


def _columns() -> list[tuple[str, object]]:
    """``(header, function of a customer)`` for every column, in order."""

    def person(attr):
        return lambda c: getattr(c.person, attr) if c.person_id else ""

    def company(attr):
        return lambda c: getattr(c.company, attr) if c.company_id else ""

    def contact(attr):
        return lambda c: getattr(c.contact, attr)

    def birth_date(c):
        return (
            c.person.birth_date.strftime("%d/%m/%Y") if c.person_id and c.person.birth_date else ""
        )

    return [
        (_("Identifiant"), lambda c: c.public_id),
        (_("Type"), lambda c: c.get_kind_display()),
        (_("Statut"), lambda c: c.get_status_display()),
        (_("Civilité"), lambda c: c.person.get_civility_display() if c.person_id else ""),
        (_("Nom"), person("last_name")),
        (_("Prénom"), person("first_name")),
        (_("Date de naissance"), birth_date),
        (_("Profession"), person("profession")),
        (_("Raison sociale"), company("legal_name")),
        (_("Nom commercial"), company("trade_name")),
        (_("SIREN"), company("siren")),
        (_("SIRET"), company("siret")),
        (_("Code NAF"), company("naf_code")),
        (_("Rue"), contact("street")),
        (_("Complément d'adresse"), contact("address_complement")),
        (_("Code postal"), contact("postal_code")),
        (_("Ville"), contact("city")),
        (_("Téléphone fixe"), contact("phone_landline")),
        (_("Téléphone portable"), contact("phone_mobile")),
        (_("E-mail"), contact("email")),
        (_("Accepte les SMS"), lambda c: _yes_no(c.contact.consent_sms)),
        (_("Accepte le téléphone"), lambda c: _yes_no(c.contact.consent_phone)),
        (_("Accepte les e-mails"), lambda c: _yes_no(c.contact.consent_email)),
        (_("Accepte les courriers"), lambda c: _yes_no(c.contact.consent_mail)),
        (_("Source"), lambda c: c.get_source_display()),
        (_("Concession"), lambda c: c.dealership),
        (_("Responsable"), lambda c: c.owner.display_name if c.owner_id else ""),
        (_("Créé le"), lambda c: timezone.localtime(c.created_at).strftime("%d/%m/%Y")),
    ]


def customer_export_csv(
    *,
    actor,
    workspace: Workspace,
    query: str = "",
    status: str = "",
    kind: str = "",
    progress: JobProgress | None = None,
) -> CsvExport:
    """The customers matching the list's search and filters, as a CSV file for French Excel:
    UTF-8 with a byte-order mark, ``;`` between cells, formulas neutralised."""
    ensure_permission(actor, Permission.CRM_VIEW, workspace)
    customers = selectors.customer_list(
        user=actor, workspace=workspace, query=query, status=status, kind=kind
    ).select_related("owner")
    total = customers.count()
    if progress is not None:
        progress.start(total)
    columns = _columns()
    rows = 0

    def lines():
        nonlocal rows
        yield [header for header, _value in columns]
        for customer in customers.iterator(chunk_size=CHUNK_SIZE):
            yield [csv_safe(value(customer)) for _header, value in columns]
            rows += 1
            if progress is not None:
                progress.advance(1)

    content = csv_content(lines())
    return CsvExport(content=content, rows=rows)


@transaction.atomic
def customer_export_start(
    *, actor, workspace: Workspace, query: str = "", status: str = "", kind: str = ""
) -> Job:
    """Create the export job and queue it once this transaction commits."""
    ensure_permission(actor, Permission.CRM_VIEW, workspace)
    return job_start(
        actor=actor,
        workspace=workspace,
        kind=EXPORT_JOB_KIND,
        label=_("Export CSV des clients"),
        params={"query": query, "status": status, "kind": kind},
    )


def export_filename() -> str:
    return f"clients-{timezone.localdate():%Y-%m-%d}.csv"
