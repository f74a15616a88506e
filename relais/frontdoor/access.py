"""Who may see and act on which request: every selector and service funnels through here.

A user's bodies are the bodies of the organizations where a role grants them the
permission (``organizations_with_permission``); referents also need their ``Referent`` row to
be active when they hold no other role there. The networks a user moderates are those whose
host organization grants ``frontdoor.network.moderate``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import organizations_with_permission
from relais.core.exceptions import AccessDenied
from relais.frontdoor import permissions as perms
from relais.frontdoor.models import Body, Network, Referent


def bodies_of(user, permission: str = perms.VIEW) -> QuerySet[Body]:
    """The bodies on whose behalf ``user`` holds ``permission`` (lazy)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Body.objects.none()
    return Body.objects.filter(
        organization__in=organizations_with_permission(user, permission), active=True
    )


def moderated_networks(user) -> QuerySet[Network]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Network.objects.none()
    return Network.objects.filter(
        organization__in=organizations_with_permission(user, perms.MODERATE)
    )


def dispatch_networks(user) -> QuerySet[Network]:
    """Networks whose queue ``user`` handles: moderated ones, and those where the user is a
    referent on dispatching duty holding the dispatch or handle permission in the body."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Network.objects.none()
    on_duty = Referent.objects.filter(
        user=user,
        active=True,
        is_dispatcher=True,
        body__organization__in=organizations_with_permission(user, perms.HANDLE),
    ).values("body__network_id")
    return Network.objects.filter(
        Q(pk__in=moderated_networks(user).values("pk")) | Q(pk__in=on_duty)
    ).distinct()


def visible_requests_q(user) -> Q:
    """The requests ``user`` may read: those a body of theirs was seized of (in any state:
    a body that refused or transferred keeps reading what it saw) or received first (the
    agent who entered a phone call), and every request of the networks they moderate or
    dispatch."""
    bodies = bodies_of(user)
    return (
        Q(assignments__body__in=bodies)
        | Q(first_body__in=bodies)
        | Q(network__in=dispatch_networks(user).values("pk"))
    )


def can_read(user, request) -> bool:
    """Whether ``user`` may read ``request`` (``visible_requests_q`` for one request)."""
    bodies = bodies_of(user)
    return (
        (request.first_body_id is not None and bodies.filter(pk=request.first_body_id).exists())
        or request.assignments.filter(body__in=bodies).exists()
        or dispatch_networks(user).filter(pk=request.network_id).exists()
    )


def can_dispatch(user, network) -> bool:
    return dispatch_networks(user).filter(pk=network.pk).exists()


def can_moderate(user, network) -> bool:
    return moderated_networks(user).filter(pk=network.pk).exists()


def ensure_dispatch(user, network) -> None:
    if not can_dispatch(user, network):
        raise AccessDenied(_("Seuls le répartiteur et les modérateurs du réseau répartissent."))


def ensure_handle(user, body) -> None:
    """Raise unless ``user`` may act for ``body`` (take in charge, refuse, transfer, answer)."""
    if not bodies_of(user, perms.HANDLE).filter(pk=body.pk).exists():
        raise AccessDenied(_("Vous n'agissez pas pour l'organisme %(body)s.") % {"body": body})


def handling_bodies(user, request) -> list[Body]:
    """The bodies of ``request`` for which ``user`` may act (their assignment is active)."""
    from relais.frontdoor.models import ACTIVE_ASSIGNMENT_STATES

    return list(
        bodies_of(user, perms.HANDLE)
        .filter(assignments__request=request, assignments__state__in=ACTIVE_ASSIGNMENT_STATES)
        .distinct()
    )
