"""Records of workspace B for the isolation tests, one module per app or tool.

Each module here defines ``foreign_records(workspace, agent) -> dict`` mapping a URL keyword
(``segment_id``, ``appointment_id``…) to the value that names one of B's records in a URL
(``workspace`` is B's workspace, ``workspace.organization`` B's organization: records that
belong to an organization, like a training class, are built there). A key
``"<namespace>:<keyword>"`` gives the value for that URL namespace only, when two apps use
one keyword for different records. ``tests.test_isolation`` asks for every URL of every
namespace as users of A; a keyword no module gives fails it: add a module for a new app here.
``own_records`` gives the same keywords for the user's own records (no-write-on-GET sweep,
form sweep, accessibility).
"""

import importlib
import pkgutil


def foreign_url_values(workspace, agent) -> dict:
    values: dict = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        values.update(module.foreign_records(workspace, agent))
    return values


def own_url_values(workspace, user) -> dict:
    """The same keywords, naming records of the user's own workspace (accessibility sweep).

    A module may define ``own_records(workspace, user) -> dict`` alongside ``foreign_records``.
    """
    values: dict = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "own_records"):
            values.update(module.own_records(workspace, user))
    return values
