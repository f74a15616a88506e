"""Project-wide guarantees: layering, migrations, deployment settings, vendored files, licence."""

import hashlib
import os
import re
import secrets
import string
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "relais" / "static" / "vendor"


def run(args, *, env_overrides=None, tmp_path):
    hidden = {
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }  # the latter is set by tests/e2e
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    # A throw-away var/ directory: nothing here may touch the developer's database or key.
    env.update({"RELAIS_VAR_DIR": str(tmp_path), **(env_overrides or {})})
    return subprocess.run(  # noqa: S603 - fixed commands of this repository
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_import_contracts_are_kept(tmp_path):
    lint_imports = Path(sys.executable).parent / "lint-imports"
    command = (
        [str(lint_imports)] if lint_imports.exists() else [sys.executable, "-m", "importlinter.cli"]
    )
    result = run([*command, "--no-cache"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    assert len(contracts) >= 2
    for contract in contracts:
        assert f"{contract['name']} KEPT" in result.stdout


def test_no_migration_is_missing(tmp_path):
    result = run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def production_environment():
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return {
        "DEBUG": "0",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "ALLOWED_HOSTS": "relais.example.fr",
        "RELAIS_HTTPS": "1",
        "SECURE_HSTS_PRELOAD": "1",
    }


def test_deployment_checks_pass_with_production_variables(tmp_path):
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env_overrides=production_environment(),
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deployment_checks_catch_a_weak_secret_key(tmp_path):
    # The check above would be worthless if it passed whatever the settings.
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env_overrides={**production_environment(), "SECRET_KEY": "court"},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def manifest_rows():
    rows = []
    for line in (VENDOR / "MANIFEST").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        library, version, licence, sha256, path = line.split("\t")
        rows.append(
            {
                "library": library,
                "version": version,
                "licence": licence,
                "sha256": sha256,
                "path": path,
            }
        )
    return rows


def test_manifest_rows_are_complete():
    rows = manifest_rows()
    assert {row["library"] for row in rows} >= {"bootstrap", "bootstrap-icons", "htmx", "echarts"}
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", row["sha256"]), row
        assert row["version"] and row["licence"], row
    # Every library ships its licence text.
    for library in {row["library"] for row in rows}:
        assert any(r["library"] == library and r["path"].endswith("/LICENSE") for r in rows), (
            library
        )


@pytest.mark.parametrize("row", manifest_rows(), ids=lambda row: row["path"])
def test_vendored_file_matches_its_manifest_checksum(row):
    path = VENDOR / row["path"]
    assert path.is_file(), f"{row['path']} is listed in MANIFEST but missing"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]


def test_every_vendored_file_is_in_the_manifest():
    listed = {row["path"] for row in manifest_rows()}
    present = {
        str(p.relative_to(VENDOR))
        for p in VENDOR.rglob("*")
        if p.is_file() and p.name != "MANIFEST"
    }
    assert present - listed == set()


def test_templates_load_nothing_from_a_cdn():
    external = re.compile(
        r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.IGNORECASE
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "relais").rglob("*.html")
        if external.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_licence_is_the_agpl_v3():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text
    # The whole text, not an excerpt.
    assert len(text) > 30_000
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
