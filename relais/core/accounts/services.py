"""Account write actions: personal API tokens, roles held in organizations."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.accounts.models import ApiToken, OrganizationMembership, User
from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import forget_roles
from relais.core.audit.services import audit_log
from relais.core.exceptions import NotFound


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token for ``user`` and return it with its key.

    Only the key's SHA-256 digest is stored: the key itself is returned here once and
    can never be read again. Raises ``ValidationError`` for an empty name or an
    inactive user.
    """
    if not user.is_active:
        raise ValidationError(_("Ce compte est désactivé : il ne peut pas recevoir de jeton."))
    key = ApiToken.new_key()
    token = ApiToken(user=user, name=name.strip(), digest=ApiToken.digest_of(key), prefix=key[:8])
    token.full_clean()
    token.save()
    audit_log(actor=user, action="api_token.create", target=token, after={"name": token.name})
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke (delete) one of ``user``'s tokens; requests that present it get 401 from now on."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(_("Jeton d'API introuvable."))
    audit_log(
        actor=user,
        action="api_token.revoke",
        target=token,
        before={"name": token.name, "prefix": token.prefix},
    )
    token.delete()


@transaction.atomic
def organization_role_grant(
    *, user: User, organization, role: str, actor=None
) -> OrganizationMembership:
    """Give ``user`` the role ``role`` in ``organization`` (idempotent).

    ``actor`` (who grants it) is recorded in the audit log when given.
    """
    if role not in Role.values:
        raise ValidationError(_("Rôle inconnu : %(role)s.") % {"role": role})
    membership, created = OrganizationMembership.objects.get_or_create(
        user=user, organization=organization, role=role
    )
    forget_roles(user)
    if created and actor is not None:
        audit_log(
            actor=actor,
            action="organization_role.grant",
            target=membership,
            after={"user": user.username, "organization": organization.slug, "role": role},
        )
    return membership


@transaction.atomic
def organization_role_revoke(*, user: User, organization, role: str, actor=None) -> None:
    """Take the role ``role`` in ``organization`` away from ``user`` (nothing if not held)."""
    membership = OrganizationMembership.objects.filter(
        user=user, organization=organization, role=role
    ).first()
    forget_roles(user)
    if membership is None:
        return
    if actor is not None:
        audit_log(
            actor=actor,
            action="organization_role.revoke",
            target=membership,
            before={"user": user.username, "organization": organization.slug, "role": role},
        )
    membership.delete()
