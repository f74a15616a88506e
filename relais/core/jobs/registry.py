"""Which task runs each kind of background job, registered by the apps at start-up.

An app declares its job kinds from its ``AppConfig.ready()``::

    register_job_kind(
        "crm.customer_export", customer_export_task, label=_("Export de clients"),
        permission="crm.view",
    )

Services then start a job by its kind (``job_start``) and never import the task module, while
task modules import the services they run: no import cycle between the two. The kind also says
what a user must hold to download the job's file, checked again at download time.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class JobKind:
    kind: str
    # A Huey task (or any callable taking the job's primary key and the job's parameters).
    task: Callable[..., Any]
    label: str
    # The permission a user needs in the job's workspace to download its file (None: entering
    # the workspace is enough).
    permission: str | None = None
    # Instead of ``permission``: a check ``access(user, workspace)`` that raises ``AccessDenied``
    # or ``NotFound``, for kinds whose access rule is not a single permission.
    access: Callable[[Any, Any], None] | None = None


_KINDS: dict[str, JobKind] = {}


def register_job_kind(
    kind: str,
    task: Callable[..., Any],
    *,
    label: str,
    permission: str | None = None,
    access: Callable[[Any, Any], None] | None = None,
) -> JobKind:
    """Declare that jobs of ``kind`` run ``task``; ``label`` (French, lazily translated) names
    the kind in the job list. Registering the same kind twice is an error, unless it is the
    very same declaration (an app's ``ready()`` run again)."""
    if permission is not None and access is not None:
        raise ImproperlyConfigured(f"Job kind {kind!r}: give a permission or an access check.")
    declared = JobKind(kind=kind, task=task, label=label, permission=permission, access=access)
    existing = _KINDS.get(kind)
    if existing is not None:
        if existing == declared:
            return existing
        raise ImproperlyConfigured(f"Job kind {kind!r} is already registered.")
    _KINDS[kind] = declared
    return declared


def job_kind(kind: str) -> JobKind:
    """The registration of ``kind``; ``LookupError`` if no app registered it."""
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(
            f"Unknown job kind {kind!r}: register it with register_job_kind() "
            "from the app's AppConfig.ready()."
        ) from None


def job_kinds() -> Mapping[str, JobKind]:
    """Every registered kind, read-only."""
    return MappingProxyType(_KINDS)


def job_kind_label(kind: str) -> str:
    """What the job list shows for ``kind``: its registered label, else the code itself (a job
    left over from a kind that no longer exists)."""
    registered = _KINDS.get(kind)
    return str(registered.label) if registered is not None else kind
