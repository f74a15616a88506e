"""Errors that services and selectors raise; views and the API turn them into 404 and 403."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NotFound(Http404):
    """The record does not exist *for this user*: another workspace's rows look absent."""


class AccessDenied(PermissionDenied):
    pass


def parse_public_id(value) -> uuid.UUID | None:
    """``value`` (a UUID, or its text from a URL, a form or a file) as a public id, else ``None``.

    The one parser of public ids: every selector, view and command reads ids through it (or
    ``public_id_or_not_found``), so a malformed id is handled the same way everywhere.
    """
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError):
        return None


def public_id_or_not_found(value, message: str | None = None) -> uuid.UUID:
    """``value`` as a public id; a malformed one names no record, so it is ``NotFound``."""
    public_id = parse_public_id(value)
    if public_id is None:
        raise NotFound(message) if message else NotFound
    return public_id
