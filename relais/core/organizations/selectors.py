import time

from django.core.cache import cache
from django.core.exceptions import DisallowedHost

from relais.core.organizations.models import Organization, normalize_host

HOST_CACHE_SECONDS = 300
_GENERATION_KEY = "relais:organization-hosts:generation"
_NONE = "none"  # what the cache holds for a host no organization owns


def _generation() -> int:
    # A fresh generation (first use, or evicted) never reuses the number of an older one.
    return cache.get_or_set(_GENERATION_KEY, time.time_ns, timeout=None)


def forget_hosts(**_kwargs) -> None:
    """Invalidate every cached host→organization answer (connected to the save and delete of
    organizations and their domains; a signal is fine for a cache)."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # nothing cached yet, or evicted
        cache.set(_GENERATION_KEY, time.time_ns(), timeout=None)


def organization_for_host(host: str) -> Organization | None:
    """The organization owning ``host`` (any case, with or without a port), or ``None``.

    Cached for a few minutes in the shared cache; saving or deleting an organization or a
    domain invalidates the answers at once.
    """
    domain = normalize_host(host)
    if not domain:
        return None
    key = f"relais:organization-host:{_generation()}:{domain}"
    cached = cache.get(key)
    if cached is not None:
        return None if cached == _NONE else cached
    organization = Organization.objects.filter(domains__domain=domain).first()
    cache.set(key, organization if organization is not None else _NONE, HOST_CACHE_SECONDS)
    return organization


def organization_for_request_host(request) -> Organization | None:
    """:func:`organization_for_host` for the request's host (``None`` for a refused host)."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return organization_for_host(host)


def branding_for_request(request) -> Organization | None:
    """The organization whose branding dresses the page.

    A module serving a page on behalf of one organization says so by setting
    ``request.branding_organization`` (the community of a body reached on another body's
    host, e.g. ``localhost`` in the demo): that wins, so the kernel needs not know the modules.
    Otherwise staff pages wear the current workspace's organization (else the user's); public
    pages wear the organization owning the requested host. ``None`` means Relais' neutral
    branding.
    """
    chosen = getattr(request, "branding_organization", None)
    if chosen is not None:
        return chosen
    workspace = getattr(request, "workspace", None)
    if workspace is not None:
        return workspace.organization
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.organization_id:
        return user.organization
    return organization_for_request_host(request)
