"""Excel snapshots of a 10,000-customer workspace, against the previous Relais code and Django.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and a
template workspace filled once with ``relais.crm.demo.generate_customers``. Then, on the same
records:

* **relais export** / **relais import**: ``snapshot_export`` and ``snapshot_import`` into the
  same workspace (read and check the whole workbook, delete the records, insert them back);
* **previous export** / **previous import**: the same with the code before issue 12, frozen in
  ``bench/_snapshot_before.py`` (openpyxl and the sheets' markup parsed in Python, one value
  prepared at a time): the issue's targets are import ≥ 5× and export ≥ 2× this baseline;
* **Django dump** / **Django load** (unless ``--skip-django``): Django's JSON serializer over
  the workspace's record tables, which is what ``dumpdata`` does (it cannot filter by
  workspace), and delete (``workspace_records_delete``) + ``loaddata``.

The two exports must carry the same checksum (the format did not change), and each import
must give back every customer. Each step runs ``--repeat`` times (default 1), interleaved with
its baseline; the best time is kept, with the CPU time of the Python process beside it (the
machine may be loaded by other jobs; for PostgreSQL it leaves out the server). Ratios are
baseline / relais (above 1: Relais faster). Each engine runs in its own process, configured
through ``DATABASE_URL`` and ``RELAIS_VAR_DIR``.
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
    parser.add_argument(
        "--skip-django", action="store_true", help="leave out dumpdata/loaddata (slow)"
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
        *(["--skip-django"] if args.skip_django else []),
    ]


def _run_sqlite(args) -> dict:
    return run_sqlite("training_snapshot", _options(args))


def _run_postgres(args) -> dict | None:
    return run_postgres("training_snapshot", args.postgres_url, _options(args))


def _best(steps: dict, repeat: int) -> dict:
    """``{name: (best wall seconds, CPU seconds of that run)}``, the steps interleaved."""
    timings: dict = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            step()
            timings[name].append((time.perf_counter() - started, time.process_time() - started_cpu))
    return {name: min(runs) for name, runs in timings.items()}


def _measure(args) -> dict:
    import django

    django.setup()
    from django.core import serializers
    from django.core.management import call_command
    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from bench import _snapshot_before as before
    from relais.core.organizations.models import Organization
    from relais.core.workspaces.cloning import workspace_records_delete
    from relais.core.workspaces.models import Workspace, WorkspaceKind
    from relais.crm.demo import generate_customers
    from relais.crm.models import Customer
    from relais.training.services.snapshots import snapshot_export, snapshot_import
    from relais.training.snapshots.workbook import META_SHEET, table_queryset, tables

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
    xlsx_before = VAR_DIR / f"training_snapshot_{engine}_before.xlsx"
    dump = VAR_DIR / f"training_snapshot_{engine}.json"

    def checksum(path) -> str:
        book = CalamineWorkbook.from_path(str(path))
        try:
            meta = dict(row[:2] for row in book.get_sheet_by_name(META_SHEET).to_python()[1:])
        finally:
            book.close()
        return meta["checksum"]

    def imported(step):
        def run() -> None:
            step()
            assert Customer.objects.filter(workspace=workspace).count() == args.customers

        return run

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

    try:
        log("measuring the exports…")
        result = _best(
            {
                "export": lambda: snapshot_export(actor=None, workspace=workspace, path=xlsx),
                "export_before": lambda: before.snapshot_export(
                    actor=None, workspace=workspace, path=xlsx_before
                ),
            },
            args.repeat,
        )
        if checksum(xlsx) != checksum(xlsx_before):
            raise SystemExit("the two exports differ: the format changed")
        log("measuring the imports…")
        result |= _best(
            {
                "import": imported(
                    lambda: snapshot_import(actor=None, path=xlsx, workspace=workspace)
                ),
                "import_before": imported(
                    lambda: before.snapshot_import(actor=None, path=xlsx, workspace=workspace)
                ),
            },
            args.repeat,
        )
        sizes = {
            "xlsx_mb": xlsx.stat().st_size / 1e6,
            "xlsx_before_mb": xlsx_before.stat().st_size / 1e6,
        }
        if not args.skip_django:
            log("measuring dumpdata…")
            result |= _best({"dump": dumpdata}, args.repeat)
            # loaddata wants one JSON document: the per-table lists merged, outside the timing.
            merged = []
            for line in dump.read_text().splitlines():
                if line.strip():
                    merged += json.loads(line)
            dump.write_text(json.dumps(merged))
            sizes["json_mb"] = dump.stat().st_size / 1e6
            log("measuring loaddata…")
            result |= _best({"load": imported(loaddata)}, args.repeat)
    finally:
        for path in (xlsx, xlsx_before, dump):
            path.unlink(missing_ok=True)
    return {
        "engine": engine,
        "customers": args.customers,
        "rows": rows,
        "timings": result,
        **sizes,
    }


# The targets: previous / relais.
TARGETS = {"export": 2, "import": 5}


def _report(results: list[dict], args) -> None:
    if not results:
        print("No engine could be measured.")
        return
    print()
    print(
        f"Excel snapshot — {args.customers:,} customers ({results[0]['rows']:,} rows), "
        f"best of {args.repeat}"
    )
    line = "{:<11} {:<34} {:>9} {:>9} {:>10} {:>10}"
    header = line.format("engine", "step", "wall (s)", "CPU (s)", "÷ relais", "target")
    print(header)
    print("-" * len(header))
    labels = {
        "export": "relais export (xlsx)",
        "export_before": "previous export (frozen)",
        "dump": "Django dumpdata (json)",
        "import": "relais import (check + replace)",
        "import_before": "previous import (frozen)",
        "load": "Django delete + loaddata",
    }
    verdicts = []
    for result in results:
        timings = result["timings"]
        engine = result["engine"]
        for step, baselines in (
            ("export", ("export_before", "dump")),
            ("import", ("import_before", "load")),
        ):
            wall, cpu = timings[step]
            print(line.format(engine, labels[step], f"{wall:.2f}", f"{cpu:.2f}", "", ""))
            engine = ""
            for baseline in baselines:
                if baseline not in timings:
                    continue
                b_wall, b_cpu = timings[baseline]
                target = ""
                if baseline.endswith("_before"):
                    met = b_wall / wall >= TARGETS[step]
                    target = f"≥ {TARGETS[step]}× {'met' if met else 'NOT met'}"
                    verdicts.append(
                        f"{result['engine']} {step} {b_wall / wall:.1f}× ({'met' if met else 'NOT met'})"
                    )
                print(
                    line.format(
                        "",
                        labels[baseline],
                        f"{b_wall:.2f}",
                        f"{b_cpu:.2f}",
                        f"{b_wall / wall:.2f}×",
                        target,
                    )
                )
        sizes = f"file size: xlsx {result['xlsx_mb']:.1f} MB (previous {result['xlsx_before_mb']:.1f} MB)"
        if "json_mb" in result:
            sizes += f", json {result['json_mb']:.1f} MB"
        print(line.format("", sizes, "", "", "", ""))
    print()
    print("targets (previous ÷ relais, wall): " + ", ".join(verdicts))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
