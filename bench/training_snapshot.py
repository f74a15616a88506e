"""Excel snapshots of a 10,000-customer workspace, against Django's dumpdata/loaddata (JSON).

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and a
template workspace filled once with ``relais.crm.demo.generate_customers``. Then, on the same
records:

* **relais export**: ``snapshot_export`` (xlsx, write-only openpyxl, checksum);
* **baseline dump**: Django's JSON serializer over the workspace's record tables, which is
  what ``dumpdata`` does (``dumpdata`` itself cannot filter by workspace);
* **relais import**: ``snapshot_import`` into the same workspace (read and check the whole
  workbook, delete the records, insert them back);
* **baseline load**: delete the records (``workspace_records_delete``) then ``loaddata``.

Each step runs ``--repeat`` times (default 1); the best time is kept. Ratios are baseline /
relais (above 1: Relais faster). Each engine runs in its own process, configured through
``DATABASE_URL`` and ``RELAIS_VAR_DIR``.
"""

import argparse
import json
import sys
import time
from datetime import date

from bench._engines import VAR_DIR, run_postgres, run_sqlite

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_snapshot"
TODAY = date(2025, 6, 15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.training_snapshot", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--customers", type=int, default=10_000, help="customers to generate (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated data")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each step (best kept)")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--postgres-url", default=POSTGRES_URL, help=f"database to create and drop ({POSTGRES_URL})"
    )
    parser.add_argument("--worker", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    if args.customers < 1 or args.repeat < 1:
        parser.error("--customers and --repeat must be at least 1")
    if args.worker:
        print(json.dumps(_measure(args)), flush=True)
        return 0
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine == "sqlite":
            results.append(_run_sqlite(args))
        elif engine == "postgresql":
            result = _run_postgres(args)
            if result:
                results.append(result)
        else:
            parser.error(f"unknown engine: {engine}")
    _report(results, args)
    return 0 if results else 1


# --- Engines (one process each) ----------------------------------------------------------------


def _options(args) -> list[str]:
    return [
        "--customers",
        str(args.customers),
        "--seed",
        str(args.seed),
        "--repeat",
        str(args.repeat),
    ]


def _run_sqlite(args) -> dict:
    return run_sqlite("training_snapshot", _options(args))


def _run_postgres(args) -> dict | None:
    return run_postgres("training_snapshot", args.postgres_url, _options(args))


def _best(step, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        timings.append(time.perf_counter() - started)
    return min(timings)


def _measure(args) -> dict:
    import django

    django.setup()
    from django.core import serializers
    from django.core.management import call_command
    from django.db import transaction

    from relais.core.organizations.models import Organization
    from relais.core.workspaces.cloning import workspace_records_delete
    from relais.core.workspaces.models import Workspace, WorkspaceKind
    from relais.crm.demo import generate_customers
    from relais.crm.models import Customer
    from relais.training.services.snapshots import snapshot_export, snapshot_import
    from relais.training.snapshots.workbook import table_queryset, tables

    engine = args.worker
    log = lambda message: print(f"  {engine}: {message}", file=sys.stderr, flush=True)  # noqa: E731
    log("migrating…")
    call_command("migrate", verbosity=0, interactive=False)
    organization = Organization.objects.create(name="Banc d'essai", slug="banc-d-essai")
    workspace = Workspace.objects.create(
        organization=organization, name="Base école (banc d'essai)", kind=WorkspaceKind.TEMPLATE
    )
    log(f"generating {args.customers:,} customers…")
    generate_customers(workspace=workspace, count=args.customers, seed=args.seed, today=TODAY)
    rows = sum(table_queryset(table, workspace).count() for table in tables())
    xlsx = VAR_DIR / f"training_snapshot_{engine}.xlsx"
    dump = VAR_DIR / f"training_snapshot_{engine}.json"

    def export() -> None:
        snapshot_export(actor=None, workspace=workspace, path=xlsx)

    def import_() -> None:
        snapshot_import(actor=None, path=xlsx, workspace=workspace)

    def dumpdata() -> None:
        with dump.open("w") as handle:
            for table in tables():
                queryset = table_queryset(table, workspace).order_by("pk")
                # dumpdata's own path: the JSON serializer over an iterator, one list per model.
                serializers.serialize("json", queryset.iterator(), stream=handle)
                handle.write("\n")

    def loaddata() -> None:
        with transaction.atomic():
            workspace_records_delete(workspace)
            call_command("loaddata", str(dump), verbosity=0)

    # loaddata wants one JSON document: merge the per-table lists once, outside the timing.
    try:
        log("measuring export…")
        export_s = _best(export, args.repeat)
        log("measuring dumpdata…")
        dump_s = _best(dumpdata, args.repeat)
        merged = []
        for line in dump.read_text().splitlines():
            if line.strip():
                merged += json.loads(line)
        dump.write_text(json.dumps(merged))
        log("measuring import…")
        import_s = _best(import_, args.repeat)
        assert Customer.objects.filter(workspace=workspace).count() == args.customers
        log("measuring loaddata…")
        load_s = _best(loaddata, args.repeat)
        assert Customer.objects.filter(workspace=workspace).count() == args.customers
        sizes = {"xlsx_mb": xlsx.stat().st_size / 1e6, "json_mb": dump.stat().st_size / 1e6}
    finally:
        xlsx.unlink(missing_ok=True)
        dump.unlink(missing_ok=True)
    return {
        "engine": engine,
        "customers": args.customers,
        "rows": rows,
        "export_s": export_s,
        "dump_s": dump_s,
        "import_s": import_s,
        "load_s": load_s,
        **sizes,
    }


def _report(results: list[dict], args) -> None:
    if not results:
        print("No engine could be measured.")
        return
    print()
    print(
        f"Excel snapshot — {args.customers:,} customers ({results[0]['rows']:,} rows), "
        f"best of {args.repeat}"
    )
    line = "{:<11} {:<40} {:>9} {:>14}"
    header = line.format("engine", "step", "seconds", "baseline/relais")
    print(header)
    print("-" * len(header))
    for result in results:
        pairs = (
            ("export", "relais export (xlsx)", "export_s", "baseline dumpdata (json)", "dump_s"),
            ("import", "relais import (check + replace)", "import_s", "baseline delete + loaddata", "load_s"),
        )  # fmt: skip
        engine = result["engine"]
        for _name, relais_label, relais_key, baseline_label, baseline_key in pairs:
            ratio = result[baseline_key] / result[relais_key]
            print(line.format(engine, relais_label, f"{result[relais_key]:.2f}", f"{ratio:.2f}×"))
            print(line.format("", baseline_label, f"{result[baseline_key]:.2f}", ""))
            engine = ""
        print(
            line.format(
                "",
                f"file size: xlsx {result['xlsx_mb']:.1f} MB, json {result['json_mb']:.1f} MB",
                "",
                "",
            )
        )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
