"""The demo data of each module, loaded by ``manage.py load_demo`` (``make demo``).

The CRM and its simulator load theirs first (``relais.training``); every other module
registers a loader from its ``AppConfig.ready()``, so that ``load_demo`` shows the whole
platform without importing any of them::

    register_demo("community", _("Communauté des artistes-auteurs"), load_community_demo)

A loader is idempotent: it creates what is missing and leaves what exists, unless ``reset``
asks it to start again. It returns the demo accounts it made, printed for the user.
"""

from collections.abc import Callable
from dataclasses import dataclass

# One password for every demo account of the platform: printed for everyone to use.
DEMO_PASSWORD = "relais-demo"  # noqa: S105 - demo accounts only


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as printed after loading: who, with which role, where."""

    username: str
    role: str
    where: str


@dataclass(frozen=True)
class DemoModule:
    key: str
    label: str
    load: Callable[..., list[DemoLogin]]  # load(*, reset: bool) -> accounts made
    order: int


_MODULES: dict[str, DemoModule] = {}


def register_demo(key: str, label, load: Callable[..., list[DemoLogin]], *, order: int = 100):
    """Register a module's demo loader, run by ``load_demo`` in ``order``, then ``key``."""
    _MODULES[key] = DemoModule(key=key, label=label, load=load, order=order)


def registered_demos() -> list[DemoModule]:
    return sorted(_MODULES.values(), key=lambda module: (module.order, module.key))
