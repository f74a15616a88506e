"""The documentation names only migrations that exist (docs/dedup.md once named one that
did not)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIGRATION_NAME = re.compile(r"`(\d{4}_[a-z0-9_]+)`")


def test_every_migration_the_docs_name_exists():
    existing = {
        path.stem for path in (ROOT / "relais").rglob("migrations/[0-9][0-9][0-9][0-9]_*.py")
    }
    named = {
        (doc.relative_to(ROOT).as_posix(), name)
        for doc in (ROOT / "docs").rglob("*.md")
        for name in MIGRATION_NAME.findall(doc.read_text(encoding="utf-8"))
    }
    assert any(doc == "docs/dedup.md" for doc, _name in named)  # the case that went wrong
    missing = sorted((doc, name) for doc, name in named if name not in existing)
    assert not missing, missing
