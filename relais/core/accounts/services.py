"""Account write actions: personal API tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.accounts.models import ApiToken, User
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
