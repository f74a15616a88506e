"""Personal API tokens as a django-ninja authentication (``Authorization: Bearer <key>``)."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from relais.core.accounts.models import ApiToken, User

# Writing on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """Authenticate a request by the SHA-256 digest of its bearer token.

    A request that presents a bearer token that is unknown, revoked or whose user is
    inactive is refused at once (401), rather than falling back to the session: the
    client meant to use that token and should learn it no longer works.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token.strip()))
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            raise AuthenticationError()
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            api_token.last_used_at = now
        request.user = api_token.user
        return api_token.user
