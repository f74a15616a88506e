"""The navigation registry: each app contributes its entries, core renders them.

An app calls :func:`register_nav_entry` from its ``AppConfig.ready()``::

    register_nav_entry(
        key="crm.customers",
        label=_("Clients"),
        url_name="crm:customer-list",
        icon="bi-people",
        permission="crm.view",
        order=10,
        active_prefix=True,
        description=_("Rechercher, créer et suivre les fiches clients."),
    )

The staff layout (``base.html``) shows, in ``order``, the entries of the ``main`` section the
signed-in user may see (:func:`nav_entries_for`); the home page (``/``) shows them as tiles with
their ``description``. Entries registered with ``public=True`` are for anonymous visitors: the
public layout and the public home page show them, the staff navigation does not.

Core never names an app: what appears in the navigation is what the apps registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

Permission = str | tuple[str, ...] | None


@dataclass(frozen=True)
class NavEntry:
    """One registered entry. ``permission`` is a permission code, a tuple of codes (any of
    them shows the entry) or ``None`` (every signed-in user, or every visitor when public)."""

    key: str
    label: str
    url_name: str
    icon: str
    permission: Permission = None
    order: int = 100
    section: str = "main"
    active_prefix: str | bool | None = None
    public: bool = False
    description: str = ""
    # Whether the module is in use for this (signed-in) user, e.g. their organization has a
    # community: a role granting a module's permission does not mean the body runs it.
    available: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class NavItem:
    """An entry as one request sees it: its URL and whether it is the current page."""

    entry: NavEntry
    url: str
    active: bool = False

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def icon(self) -> str:
        return self.entry.icon

    @property
    def description(self) -> str:
        return self.entry.description


_ENTRIES: dict[str, NavEntry] = {}


def register_nav_entry(
    *,
    key: str,
    label: str,
    url_name: str,
    icon: str,
    permission: Permission = None,
    order: int = 100,
    section: str = "main",
    active_prefix: str | bool | None = None,
    public: bool = False,
    description: str = "",
    available: Callable[[Any], bool] | None = None,
) -> NavEntry:
    """Add an entry to the navigation; call it from the app's ``AppConfig.ready()``.

    ``key`` is unique across the project (prefix it with the app label: ``crm.customers``).
    ``icon`` is a Bootstrap Icons class (``bi-people``). ``active_prefix`` marks the entry as
    the current page for every path that starts with it; ``True`` uses the entry's own URL as
    the prefix (its sub-pages), ``None`` matches its URL only. When several entries match, the
    longest prefix wins. ``description`` is the line shown under the entry on the home page.
    ``available(user)``, when given, must also be true for a signed-in user to see the entry
    (a module the user's bodies do not run stays out of their navigation).
    Registering the same entry twice is harmless; a different entry under a key already taken
    raises ``ImproperlyConfigured``.
    """
    if isinstance(permission, list):
        permission = tuple(permission)
    entry = NavEntry(
        key=key,
        label=label,
        url_name=url_name,
        icon=icon,
        permission=permission,
        order=order,
        section=section,
        active_prefix=active_prefix,
        public=public,
        description=description,
        available=available,
    )
    existing = _ENTRIES.get(key)
    if existing is not None:
        if existing == entry:
            return existing
        raise ImproperlyConfigured(f"Navigation entry {key!r} is already registered.")
    _ENTRIES[key] = entry
    return entry


def unregister_nav_entry(key: str) -> None:
    """Remove an entry (tests, or an app replacing another's entry on purpose)."""
    _ENTRIES.pop(key, None)


def registered_nav_entries() -> list[NavEntry]:
    """Every registered entry, in display order."""
    return sorted(_ENTRIES.values(), key=lambda entry: (entry.order, entry.key))


def _user_holds(user, permission: str, workspace) -> bool:
    # The one place the navigation asks about a permission: through the role held in the
    # current workspace when there is one, else through any role the user holds.
    return user.has_role_permission(permission, workspace=workspace)


def entry_visible_to(entry: NavEntry, *, user, workspace=None) -> bool:
    """Whether ``user`` (possibly anonymous) may see ``entry`` in ``workspace``."""
    authenticated = user is not None and user.is_authenticated
    if entry.permission is None:
        # A public entry serves every visitor; a staff entry every signed-in user.
        visible = entry.public or authenticated
    elif not authenticated:
        return False
    else:
        codes = entry.permission if isinstance(entry.permission, tuple) else (entry.permission,)
        visible = any(_user_holds(user, code, workspace) for code in codes)
    if visible and authenticated and entry.available is not None:
        return bool(entry.available(user))
    return visible


def _is_active(entry: NavEntry, url: str, path: str) -> int:
    """Length of the match between ``path`` and the entry (0: no match)."""
    prefix = url if entry.active_prefix is True else entry.active_prefix
    if prefix and path.startswith(prefix):
        return len(prefix)
    return len(url) if path == url else 0


def nav_entries_for(
    *, user, workspace=None, path: str = "", section: str = "main", public: bool = False
) -> list[NavItem]:
    """The entries of ``section`` that ``user`` may see, with their URLs, in display order.

    ``public=False`` gives the staff navigation (entries not marked public); ``public=True``
    gives the public layout's entries. At most one item is ``active``: the one matching
    ``path`` with the longest prefix. An entry whose URL does not resolve (its app's URLs are
    not mounted) is left out.
    """
    visible: list[tuple[NavEntry, str]] = []
    for entry in registered_nav_entries():
        if entry.section != section or entry.public != public:
            continue
        if not entry_visible_to(entry, user=user, workspace=workspace):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        visible.append((entry, url))
    scores = [_is_active(entry, url, path) if path else 0 for entry, url in visible]
    best = max(scores, default=0)
    active_index = scores.index(best) if best else None
    return [
        NavItem(entry=entry, url=url, active=index == active_index)
        for index, (entry, url) in enumerate(visible)
    ]


def nav_entries_for_request(request, *, section: str = "main", public: bool | None = None):
    """:func:`nav_entries_for` for the current request (public entries for anonymous visitors
    unless ``public`` says otherwise)."""
    user = getattr(request, "user", None)
    if public is None:
        public = user is None or not user.is_authenticated
    return nav_entries_for(
        user=user,
        workspace=getattr(request, "workspace", None),
        path=request.path,
        section=section,
        public=public,
    )
