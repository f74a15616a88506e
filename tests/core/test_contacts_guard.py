"""Guard: outside ``relais/core/contacts``, nobody creates or changes a Person or a Company
directly; they call the core services (``relais.core.contacts.services``).

The scan reads the syntax tree of every module of ``relais/`` (migrations aside) and reports:

* building an instance: ``Person(...)``, ``Company(...)`` (use ``person_build`` for batches);
* a write through the model's manager: ``Person.objects.create/bulk_create/update/…``, also at
  the end of a chain (``Company.objects.filter(...).update(...)``);
* saving a variable named after a contact: ``person.save()``, ``customer.contact.save()``…

Deleting a contact is not covered (it goes with its customer, in the CRM's deletion service),
nor are the generic workspace-wide copies that handle every record model alike (sandbox
cloning, snapshot import, the undo of a merge restoring a serialised copy).
"""

import ast
from pathlib import Path

import relais

ROOT = Path(relais.__file__).parent
OWNER = ROOT / "core" / "contacts"
MODELS = {"Person", "Company"}
WRITES = {
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
CONTACT_NAMES = {"person", "company", "contact"}


def _root_name(node) -> str | None:
    """The name a chain such as ``Person.objects.filter(x).update`` starts from."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def _offences(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in MODELS:
            found.append((node.lineno, f"{func.id}(...)"))
        elif isinstance(func, ast.Attribute):
            if func.attr in WRITES and _root_name(func.value) in MODELS:
                found.append((node.lineno, f"{_root_name(func.value)}….{func.attr}(...)"))
            elif func.attr in {"save", "save_base"}:
                owner = func.value
                name = (
                    owner.id
                    if isinstance(owner, ast.Name)
                    else owner.attr
                    if isinstance(owner, ast.Attribute)
                    else None
                )
                if name in CONTACT_NAMES:
                    found.append((node.lineno, f"{name}.{func.attr}(...)"))
    return found


def test_only_core_contacts_writes_people_and_companies():
    offences = []
    for path in sorted(ROOT.rglob("*.py")):
        if OWNER in path.parents or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offences += [
            f"{path.relative_to(ROOT.parent)}:{line}: {what}" for line, what in _offences(tree)
        ]
    assert not offences, (
        "Write people and companies through relais.core.contacts.services:\n" + "\n".join(offences)
    )


def test_the_guard_catches_direct_writes():
    code = """
Person(workspace=w, last_name="x")
Company.objects.in_workspace(w).filter(pk=1).update(parent=None)
Person.objects.bulk_create(rows)
customer.contact.save()
person.save(update_fields=["email"])
Customer.objects.filter(pk=1).update(status="x")
invoice.save()
"""
    assert [what for _line, what in _offences(ast.parse(code))] == [
        "Person(...)",
        "Company….update(...)",
        "Person….bulk_create(...)",
        "contact.save(...)",
        "person.save(...)",
    ]
