"""Errors that services and selectors raise; views and the API turn them into 404 and 403."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NotFound(Http404):
    """The record does not exist *for this user*: another workspace's rows look absent."""


class AccessDenied(PermissionDenied):
    pass


def public_id_or_not_found(value) -> uuid.UUID:
    """``value`` as a public id; a malformed one names no record, so it is ``NotFound``."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc
