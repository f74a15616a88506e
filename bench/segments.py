"""Segment count at 100,000 customers: the segment compiler against plain-ORM baselines.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and
filled once with ``relais.crm.demo.generate_customers`` (as ``bench.search`` does). The
segment has three conditions — the customer lives in the base's most common city, has a
vehicle first registered more than 4 years ago, and had **no** after-sales visit in the last
12 months — and is counted three ways on the same data, in the same run:

* **relais**: ``segment_queryset(definition).count()`` — EXISTS / NOT EXISTS subqueries;
* **baseline (joins)**: the ORM written the obvious way — filter across the vehicle join,
  exclude the customers found by an invoice query, ``.distinct().count()``;
* **baseline (Python)**: load the customers with their vehicles and invoices
  (``select_related`` + ``prefetch_related``) and test each one in a Python loop.

Each method runs ``--repeat`` times (median reported; the Python loop once, it is slow); the
three counts must agree. Each engine runs in its own process (``bench._engines``).
"""

import argparse
import json
import statistics
import sys
import time
from datetime import date

from bench._engines import add_engine_arguments, bench_workspace, run_engines, worker_log

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_segments"
TODAY = date(2025, 6, 15)
METHODS = (
    ("relais", "relais (segment compiler, EXISTS)"),
    ("joins", "baseline (joins + distinct)"),
    ("python", "baseline (Python loop, prefetch)"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.segments", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--customers", type=int, default=100_000, help="customers to generate (default 100000)"
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated base")
    parser.add_argument("--repeat", type=int, default=5, help="runs per method (default 5)")
    add_engine_arguments(parser, POSTGRES_URL)
    args, _unknown = parser.parse_known_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.worker:
        print(json.dumps(_measure(args)), flush=True)
        return 0

    options = ["--customers", str(args.customers), "--seed", str(args.seed)]
    options += ["--repeat", str(args.repeat)]
    results = run_engines(parser, "segments", args, options)
    _report(results, args)
    return 0 if results and all(r["agree"] for r in results) else 1


def _report(results: list[dict], args) -> None:
    if not results:
        print("No engine could be measured.")
        return
    print()
    print(
        f"Segment count — {args.customers:,} customers, 3 conditions "
        f"(city = {results[0]['city']!r}, vehicle older than 4 years, "
        f"no after-sales visit in 12 months)"
    )
    header = f"{'engine':<11} {'method':<38} {'median ms':>10} {'count':>8} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    for result in results:
        relais_ms = result["timings"]["relais"]
        for index, (key, label) in enumerate(METHODS):
            ms = result["timings"][key]
            ratio = "1.0×" if key == "relais" else f"{ms / relais_ms:.1f}×"
            engine = result["engine"] if index == 0 else ""
            print(f"{engine:<11} {label:<38} {ms:>10.1f} {result['counts'][key]:>8,} {ratio:>8}")
    print()
    for result in results:
        verdict = "agree" if result["agree"] else "DISAGREE"
        print(
            f"counts ({result['engine']}): {verdict}; generation {result['generation_s']:.0f} s "
            f"({result['customers']:,} customers)"
        )


def _measure(args) -> dict:
    import django

    django.setup()
    from django.db import connection

    from relais.crm.demo import generate_customers

    engine = args.worker
    log = worker_log(engine)
    workspace, user = bench_workspace(log)
    log(f"generating {args.customers:,} customers…")
    started = time.perf_counter()
    generate_customers(
        workspace=workspace, count=args.customers, seed=args.seed, today=TODAY, owner=user
    )
    generation_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    city = _common_city(workspace)
    log(f"generated in {generation_s:.0f} s; measuring (city {city})…")
    counts, timings = {}, {}
    runners = {"relais": _relais, "joins": _joins, "python": _python}
    for key, _label in METHODS:
        repeat = 1 if key == "python" else args.repeat
        samples = []
        for _ in range(repeat):
            begin = time.perf_counter()
            counts[key] = runners[key](workspace, city)
            samples.append((time.perf_counter() - begin) * 1000)
        timings[key] = statistics.median(samples)
        log(f"{key}: {timings[key]:.1f} ms, {counts[key]} customers")
    return {
        "engine": engine,
        "customers": args.customers,
        "city": city,
        "generation_s": generation_s,
        "counts": counts,
        "timings": timings,
        "agree": len(set(counts.values())) == 1,
    }


def _common_city(workspace) -> str:
    from django.db.models import Count

    from relais.core.contacts.models import Person

    top = (
        Person.objects.filter(workspace=workspace)
        .exclude(city="")
        .values("city")
        .annotate(n=Count("id"))
        .order_by("-n", "city")
        .first()
    )
    return top["city"] if top else "Lyon"


def _definition(city: str) -> dict:
    return {
        "match": "all",
        "conditions": [
            {"field": "customer.city", "op": "eq", "value": city},
            {
                "field": "vehicle.first_registration_date",
                "op": "older_than",
                "value": {"amount": 4, "unit": "years"},
            },
            {
                "entity": "invoice",
                "quantifier": "none",
                "match": "all",
                "conditions": [
                    {"field": "invoice.kind", "op": "eq", "value": "apv"},
                    {
                        "field": "invoice.issued_on",
                        "op": "in_last",
                        "value": {"amount": 12, "unit": "months"},
                    },
                ],
            },
        ],
    }


def _bounds():
    from relais.crm.segments.query import shift

    # The same days as the compiler: registered strictly before today − 4 years; visits
    # from today − 12 months to today.
    return shift(TODAY, 4, "years"), shift(TODAY, 12, "months")


def _relais(workspace, city: str) -> int:
    from relais.crm.segments.query import segment_queryset

    return segment_queryset(_definition(city), workspace=workspace, today=TODAY).count()


def _joins(workspace, city: str) -> int:
    from django.db.models import Q

    from relais.crm.models import Customer, Invoice

    registered_before, visits_since = _bounds()
    recent_visitors = Invoice.objects.filter(
        workspace=workspace, kind="apv", issued_on__gte=visits_since, issued_on__lte=TODAY
    ).values("customer_id")
    return (
        Customer.objects.filter(workspace=workspace)
        .filter(Q(person__city__iexact=city) | Q(company__city__iexact=city))
        .filter(vehicles__first_registration_date__lt=registered_before)
        .exclude(pk__in=recent_visitors)
        .distinct()
        .count()
    )


def _python(workspace, city: str) -> int:
    from relais.crm.models import Customer

    registered_before, visits_since = _bounds()
    wanted = city.lower()
    matched = 0
    customers = (
        Customer.objects.filter(workspace=workspace)
        .select_related("person", "company")
        .prefetch_related("vehicles", "invoices")
    )
    for customer in customers.iterator(chunk_size=2000):
        if (customer.contact.city or "").lower() != wanted:
            continue
        if not any(
            v.first_registration_date and v.first_registration_date < registered_before
            for v in customer.vehicles.all()
        ):
            continue
        if any(
            i.kind == "apv" and visits_since <= i.issued_on <= TODAY
            for i in customer.invoices.all()
        ):
            continue
        matched += 1
    return matched


if __name__ == "__main__":
    sys.exit(main())
