"""Running a benchmark once per database engine, each in a fresh database.

A benchmark's parent process calls ``run_sqlite`` / ``run_postgres``; they start the
benchmark module again as a child (``python -m bench.NAME --worker ENGINE …``) with
``DATABASE_URL`` and ``RELAIS_VAR_DIR`` set, so that Django is configured for that engine from
the start, and read the JSON the child prints on its last line.
"""

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"


def add_engine_arguments(parser, postgres_url: str) -> None:
    """The options every per-engine benchmark takes: ``--engines``, ``--postgres-url`` and the
    hidden ``--worker`` its child process is started with."""
    parser.add_argument(
        "--engines",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument(
        "--postgres-url", default=postgres_url, help=f"database to create and drop ({postgres_url})"
    )
    parser.add_argument("--worker", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)


def print_latency_table(
    title: str,
    results: list[dict],
    *,
    relais_label: str,
    baseline_label: str,
    target_ratio: float,
    baseline_name: str,
) -> None:
    """p50 and p95 of Relais and of its baseline per engine, their ratio, and whether the p95
    ratio reaches ``target_ratio``."""
    if not results:
        print("No engine could be measured.")
        return
    width = max(len(relais_label), len(baseline_label), len("ratio baseline / relais"))

    def row(engine: str, method: str, p50: str, p95: str) -> str:
        return f"{engine:<11} {method:<{width}} {p50:>9} {p95:>9}"

    print()
    print(title)
    header = row("engine", "method", "p50 ms", "p95 ms")
    print(header)
    print("-" * len(header))
    for result in results:
        relais, baseline = result["relais"], result["baseline"]
        ratios = [baseline[p] / relais[p] for p in ("p50", "p95")]
        print(row(result["engine"], relais_label, *[f"{relais[p]:.2f}" for p in ("p50", "p95")]))
        print(row("", baseline_label, *[f"{baseline[p]:.2f}" for p in ("p50", "p95")]))
        print(row("", "ratio baseline / relais", *[f"{ratio:.1f}×" for ratio in ratios]))
    print()
    verdicts = []
    for result in results:
        ratio = result["baseline"]["p95"] / result["relais"]["p95"]
        verdicts.append(
            f"{result['engine']} {ratio:.0f}× ({'met' if ratio >= target_ratio else 'NOT met'})"
        )
    print(f"target: p95 ≥ {target_ratio}× better than {baseline_name} — " + ", ".join(verdicts))


def worker_env(database_url: str, var_dir: Path = VAR_DIR, **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "RELAIS_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "relais.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        **extra,
    }


def run_worker(module: str, engine: str, database_url: str, options: list[str]) -> dict:
    """Run ``bench.<module> --worker <engine> <options>`` and return its JSON result."""
    command = [sys.executable, "-m", f"bench.{module}", "--worker", engine, *options]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=worker_env(database_url),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"bench.{module}: the {engine} run failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_sqlite(module: str, options: list[str]) -> dict:
    """The worker on a fresh SQLite file under ``var/bench/``, removed afterwards."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f"{module}.sqlite3"
    _remove_sqlite_files(path)
    try:
        return run_worker(module, "sqlite", f"sqlite:///{path}", options)
    finally:
        _remove_sqlite_files(path)


@contextmanager
def postgres_database(url: str) -> Iterator[bool]:
    """Create the database named in ``url`` (dropping any leftover) and drop it on exit.

    Yields ``False``, after saying why, when psycopg is missing or the server does not answer.
    """
    try:
        import psycopg
        from psycopg import sql
        from psycopg.conninfo import conninfo_to_dict
    except ImportError:
        print("PostgreSQL: psycopg is not installed — skipped.", flush=True)
        yield False
        return
    name = conninfo_to_dict(url).get("dbname", "relais_bench")
    try:
        admin = psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreachable"
        print(f"PostgreSQL not reachable at {url} ({reason}) — skipped.", flush=True)
        yield False
        return
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield True
        finally:
            admin.execute(drop)


def run_postgres(module: str, url: str, options: list[str]) -> dict | None:
    """The worker on a fresh PostgreSQL database; ``None`` when PostgreSQL is unavailable."""
    return run_in_postgres(url, lambda: run_worker(module, "postgresql", url, options))


def run_engines(parser, module: str, args, options: list[str]) -> list[dict]:
    """The worker once per engine named in ``args.engines`` (``sqlite,postgresql``); an
    unreachable PostgreSQL is left out, an unknown engine is a usage error."""
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine == "sqlite":
            results.append(run_sqlite(module, options))
        elif engine == "postgresql":
            result = run_postgres(module, args.postgres_url, options)
            if result:
                results.append(result)
        else:
            parser.error(f"unknown engine: {engine}")
    return results


def run_in_postgres(url: str, body: Callable[[], dict]) -> dict | None:
    with postgres_database(url) as available:
        return body() if available else None


def worker_log(engine: str) -> Callable[[str], None]:
    """Progress lines of a worker, on stderr (stdout carries the JSON result)."""
    return lambda message: print(f"  {engine}: {message}", file=sys.stderr, flush=True)


def bench_workspace(log: Callable[[str], None], *, role: str = "administrator", member=False):
    """Migrate the worker's fresh database and create the body, the dealership workspace and
    the user every benchmark measures in; returns ``(workspace, user)``."""
    from django.core.management import call_command

    from relais.core.accounts.models import OrganizationMembership, User
    from relais.core.organizations.models import Organization
    from relais.core.workspaces.models import Membership, Workspace

    log("migrating…")
    call_command("migrate", verbosity=0, interactive=False)
    organization = Organization.objects.create(name="Banc d'essai", slug="banc-d-essai")
    workspace = Workspace.objects.create(
        organization=organization, name="Concession (banc d'essai)"
    )
    user = User.objects.create_user(username="bench", password=None, organization=organization)
    OrganizationMembership.objects.create(user=user, organization=organization, role=role)
    if member:
        Membership.objects.create(workspace=workspace, user=user)
    return workspace, user
