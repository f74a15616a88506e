"""Reads of people and companies, with the access check: what ``user`` may see, nothing else.

A workspace the user may not enter, or an id of another workspace, is reported as
``NotFound`` (its existence does not leak); a user whose role does not include
``contacts.view`` gets ``AccessDenied``.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.accounts.roles import Permission
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, ContactDetails, Person
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.workspaces.models import Workspace

# The audit actions that change a consent: the consent history is read from them.
CONSENT_ACTIONS = ("contact.consent", "contact.unsubscribe")


def persons_of_workspace(*, user, workspace: Workspace) -> QuerySet[Person]:
    """The people of ``workspace``, in name order."""
    ensure_permission(user, Permission.CONTACTS_VIEW, workspace)
    return Person.objects.in_workspace(workspace)


def companies_of_workspace(*, user, workspace: Workspace) -> QuerySet[Company]:
    """The companies of ``workspace``, in name order."""
    ensure_permission(user, Permission.CONTACTS_VIEW, workspace)
    return Company.objects.in_workspace(workspace)


def person_get(*, user, workspace: Workspace, public_id) -> Person:
    """The person of ``workspace`` with ``public_id`` (a UUID or its text)."""
    public_id = public_id_or_not_found(public_id)
    found = persons_of_workspace(user=user, workspace=workspace).filter(public_id=public_id).first()
    if found is None:
        raise NotFound(_("Personne introuvable."))
    return found


def company_get(*, user, workspace: Workspace, public_id) -> Company:
    """The company of ``workspace`` with ``public_id`` (a UUID or its text)."""
    public_id = public_id_or_not_found(public_id)
    companies = companies_of_workspace(user=user, workspace=workspace)
    found = companies.filter(public_id=public_id).select_related("parent").first()
    if found is None:
        raise NotFound(_("Société introuvable."))
    return found


def consent_history(*, user, contact: ContactDetails) -> QuerySet[AuditEntry]:
    """The consent changes of ``contact`` (``consent_set``), latest first; each entry's
    ``after`` holds the channel, the value, its source and its date."""
    ensure_permission(user, Permission.CONTACTS_VIEW, contact.workspace)
    return AuditEntry.objects.filter(
        workspace=contact.workspace,
        target_type=contact._meta.label,
        target_id=str(contact.public_id),
        action__in=CONSENT_ACTIONS,
    )
