"""Errors that services and selectors raise; views and the API turn them into 404 and 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NotFound(Http404):
    """The record does not exist *for this user*: another workspace's rows look absent."""


class AccessDenied(PermissionDenied):
    pass
