"""The job kind → task registry, and the rule it makes possible: services never import tasks."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from relais.core.jobs import registry
from relais.core.jobs.registry import job_kind, job_kind_label, job_kinds, register_job_kind

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kinds():
    saved = dict(registry._KINDS)
    yield registry
    registry._KINDS.clear()
    registry._KINDS.update(saved)


def a_task(job_id, **params):
    return job_id, params


def another_task(job_id, **params):
    return None


def test_register_and_read_a_kind(kinds):
    declared = register_job_kind(
        "tests.export", a_task, label="Export d'essai", permission="crm.view"
    )
    assert job_kind("tests.export") is declared
    assert (declared.task, declared.label, declared.permission) == (
        a_task,
        "Export d'essai",
        "crm.view",
    )
    assert job_kinds()["tests.export"] is declared
    assert job_kind_label("tests.export") == "Export d'essai"


def test_the_registry_is_read_only_from_outside(kinds):
    with pytest.raises(TypeError):
        job_kinds()["tests.x"] = None


def test_registering_the_same_declaration_twice_is_harmless(kinds):
    first = register_job_kind("tests.export", a_task, label="Export")
    assert register_job_kind("tests.export", a_task, label="Export") is first


def test_a_kind_cannot_be_taken_twice(kinds):
    register_job_kind("tests.export", a_task, label="Export")
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        register_job_kind("tests.export", another_task, label="Export")
    assert job_kind("tests.export").task is a_task


def test_permission_and_access_check_exclude_each_other(kinds):
    with pytest.raises(ImproperlyConfigured):
        register_job_kind(
            "tests.export", a_task, label="Export", permission="crm.view", access=lambda u, w: None
        )


def test_an_unknown_kind(kinds):
    with pytest.raises(LookupError, match="register_job_kind"):
        job_kind("tests.nothing")
    # A row left by a kind that is gone still shows something in the list.
    assert job_kind_label("tests.nothing") == "tests.nothing"


def test_the_apps_register_their_kinds_at_start_up():
    from relais.crm.tasks import customer_export_task
    from relais.training.snapshots.tasks import snapshot_export_task

    expected = {
        "crm.customer_export": "crm.view",
        "crm.segment_export": "crm.view",
        "crm.dedup.search": "crm.edit",
        "crm.dedup.cleaning": "crm.edit",
        "crm.campaign_send": "crm.edit",
        "crm.campaign_clock": "crm.edit",
        "training.school_generate": "training.manage",
        "training.snapshot_export": None,
    }
    kinds = job_kinds()
    assert expected.keys() <= kinds.keys()
    for kind, permission in expected.items():
        assert kinds[kind].permission == permission
        assert str(kinds[kind].label)  # a French label for the job list
    assert kinds["crm.customer_export"].task is customer_export_task
    assert kinds["training.snapshot_export"].task is snapshot_export_task
    assert kinds["training.snapshot_export"].access is not None


# --- services never import tasks ---------------------------------------------------------------

# Only these modules may import a task module: task modules themselves (which gather the others
# for Huey's discovery) and the modules that register job kinds at start-up.
ALLOWED_IMPORTERS = {"tasks.py", "school_tasks.py", "job_kinds.py"}


def _is_task_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "tasks" or last.endswith("_tasks")


def _imported_modules(tree: ast.AST, module: str):
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):  # every import, at the top or inside a function
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def test_no_module_but_tasks_and_registrations_imports_a_task_module():
    offenders = []
    for path in sorted((ROOT / "relais").rglob("*.py")):
        if path.name in ALLOWED_IMPORTERS or "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, imported in _imported_modules(tree, module):
            if imported.startswith("relais.") and _is_task_module(imported):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert offenders == [], "start jobs by kind (job_start), don't import tasks:\n" + "\n".join(
        offenders
    )


def test_the_rule_catches_a_local_import(tmp_path):
    source = "def f():\n    from relais.crm.tasks import customer_export_task\n"
    found = [name for _line, name in _imported_modules(ast.parse(source), "relais.crm.x")]
    assert any(_is_task_module(name) for name in found)
