"""Customer search at 100,000 customers: Relais against the Django-admin ``icontains`` baseline.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and
filled once with ``relais.crm.demo.generate_customers`` (the generation is timed too). A
fixed, seeded mix of about 200 queries a dealer's staff really type — last names, partial
and accented or unaccented names, phone numbers in several formats, plates, partial VINs,
SIRET/SIREN, e-mails, cities — is then run twice per query, interleaved:

* **relais**: ``relais.crm.selectors.customer_list(...)`` (trigram index: FTS5 / pg_trgm);
* **baseline**: what ``ModelAdmin.search_fields`` would do — every word of the query must
  ``icontains``-match one of first name, last name, legal name, trade name, e-mail, phones,
  city, SIREN, SIRET, vehicle plate or VIN (vehicles by join), with ``.distinct()``.

Each run evaluates one list page: the total count and the first 25 rows. The report gives
p50 and p95 latencies, their ratio, and a recall check: for the queries where the baseline's
word-by-word semantics apply, Relais must find every customer the baseline finds.

Each engine runs in its own process (Django settings are per process), configured through
``DATABASE_URL`` and ``RELAIS_VAR_DIR``.
"""

import argparse
import json
import math
import random
import sys
import time
from datetime import date

from bench._engines import (
    add_engine_arguments,
    bench_workspace,
    print_latency_table,
    run_postgres,
    run_sqlite,
    worker_log,
)

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench"
PAGE_SIZE = 25
TODAY = date(2025, 6, 15)
TARGET_RATIO = 10
RELAIS_LABEL = "relais (customer_list, trigram index)"
BASELINE_LABEL = "baseline (admin-style icontains, distinct)"

# (category, number of queries, does the baseline's word-by-word semantics apply?)
MIX = (
    ("last name", 25, True),
    ("partial last name", 17, True),
    ("first and last name", 12, True),
    ("unaccented name", 15, True),
    ("upper-case name", 10, True),
    ("company name", 10, True),
    ("city", 8, True),
    ("e-mail", 10, True),
    ("partial e-mail", 5, True),
    ("plate AA-123-AA", 10, True),
    ("plate aa123aa", 8, True),
    ("partial VIN", 10, True),
    ("full VIN", 5, True),
    ("SIRET", 10, True),
    ("SIREN", 5, True),
    ("mobile 06 12 34 56 78", 10, False),
    ("mobile 0612345678", 10, True),
    ("mobile +33 6 12 34 56 78", 10, False),
    ("phone 06.12.34.56.78", 5, True),
    ("SIRET with spaces", 5, False),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--customers", type=int, default=100_000, help="customers to generate (default 100000)"
    )
    parser.add_argument(
        "--seed", type=int, default=2025, help="seed of the data and of the query mix"
    )
    add_engine_arguments(parser, POSTGRES_URL)
    args, _unknown = parser.parse_known_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
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


# --- orchestration (parent process) --------------------------------------------------------


def _options(args) -> list[str]:
    return ["--customers", str(args.customers), "--seed", str(args.seed)]


def _run_sqlite(args) -> dict:
    return run_sqlite("search", _options(args))


def _run_postgres(args) -> dict | None:
    return run_postgres("search", args.postgres_url, _options(args))


def _report(results: list[dict], args) -> None:
    if not results:
        print("No engine could be measured.")
        return
    print_latency_table(
        (
            f"Customer search — {args.customers:,} customers, {results[0]['queries']} queries, "
            f"one list page each (count + first {PAGE_SIZE} rows)"
        ),
        results,
        relais_label=RELAIS_LABEL,
        baseline_label=BASELINE_LABEL,
        target_ratio=TARGET_RATIO,
        baseline_name="icontains",
    )
    for result in results:
        recall = result["recall"]
        found = recall["checked"] - len(recall["failures"])
        print(
            f"recall sanity ({result['engine']}): {'FAILED' if recall['failures'] else 'OK'} — "
            f"Relais found every customer the baseline found in {found}/{recall['checked']} "
            f"applicable queries ({recall['relais_more']} where it found more)"
        )
        for failure in recall["failures"][:5]:
            query, category, missing = failure["query"], failure["category"], failure["missing"]
            print(f"    missed by Relais: {query!r} ({category}): {missing} customer(s)")
    for result in results:
        rows = result["rows"]
        print(
            f"generation ({result['engine']}): {result['customers']:,} customers in "
            f"{result['generation_s']:.0f} s ({rows['total']:,} rows in all, among which "
            f"{rows['vehicles']:,} vehicles, {rows['invoices']:,} invoices, "
            f"{rows['invoice_lines']:,} invoice lines, {rows['activities']:,} activities, "
            f"{rows['interactions']:,} interactions, {rows['leads']:,} leads)"
        )
    for result in results:
        slowest = ", ".join(f"{q['query']!r} {q['ms']:.1f} ms" for q in result["slowest_relais"])
        print(f"slowest Relais queries ({result['engine']}): {slowest}")


# --- measurement (worker process) ----------------------------------------------------------


def _progress(engine: str):
    interactive = sys.stderr.isatty()
    state = {"shown": -1}

    def report(done: int, total: int) -> None:
        percent = 100 * done // total
        if interactive:
            print(
                f"\r  {engine}: generating {total:,} customers… {percent:3d} %",
                end="",
                file=sys.stderr,
                flush=True,
            )
            if done == total:
                print(file=sys.stderr)
        elif percent // 10 > state["shown"] or done == total:
            state["shown"] = percent // 10
            print(
                f"  {engine}: generating {total:,} customers… {percent:3d} %",
                file=sys.stderr,
                flush=True,
            )

    return report


def _measure(args) -> dict:
    import django

    django.setup()
    from django.db import connection

    from relais.crm.demo import generate_customers

    engine = args.worker
    log = worker_log(engine)
    workspace, user = bench_workspace(log)
    started = time.perf_counter()
    generate_customers(
        workspace=workspace,
        count=args.customers,
        seed=args.seed,
        today=TODAY,
        owner=user,
        progress=_progress(engine),
    )
    generation_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as after any bulk load: fresh planner statistics
    log(f"generated in {generation_s:.0f} s; measuring…")
    queries = _query_mix(workspace, random.Random(args.seed))
    timings = _time_queries(user, workspace, queries)
    recall = _recall(user, workspace, timings)
    return {
        "engine": engine,
        "customers": args.customers,
        "queries": len(queries),
        "generation_s": generation_s,
        "rows": _row_counts(workspace),
        "relais": _percentiles([t["relais_ms"] for t in timings]),
        "baseline": _percentiles([t["baseline_ms"] for t in timings]),
        "recall": recall,
        "slowest_relais": [
            {"query": t["query"], "ms": t["relais_ms"]}
            for t in sorted(timings, key=lambda t: t["relais_ms"], reverse=True)[:3]
        ],
    }


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def rank(p: float) -> float:  # nearest-rank percentile
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)]

    return {"p50": rank(0.50), "p95": rank(0.95)}


def _row_counts(workspace) -> dict:
    """Rows written by the generation, per table that the report names, and in total."""
    from relais.core.contacts.models import Company, CompanyContact, Person
    from relais.core.interactions.models import Interaction
    from relais.crm.models import (
        Activity,
        Customer,
        Invoice,
        InvoiceLine,
        Lead,
        MileageReading,
        Note,
        Vehicle,
    )

    scoped = {
        "customers": Customer,
        "persons": Person,
        "companies": Company,
        "vehicles": Vehicle,
        "invoices": Invoice,
        "mileage_readings": MileageReading,
        "activities": Activity,
        "notes": Note,
        "interactions": Interaction,
        "leads": Lead,
    }
    counts = {name: model.objects.in_workspace(workspace).count() for name, model in scoped.items()}
    counts["invoice_lines"] = InvoiceLine.objects.filter(invoice__workspace=workspace).count()
    counts["company_contacts"] = CompanyContact.objects.filter(company__workspace=workspace).count()
    counts["total"] = sum(counts.values())
    return counts


def _query_mix(workspace, rng: random.Random) -> list[dict]:
    """About 200 queries drawn from the data, in the formats people type them."""
    from relais.core.contacts.normalize import fold
    from relais.crm.models import Customer, Vehicle

    customers = Customer.objects.in_workspace(workspace)
    individuals = list(
        customers.filter(kind="individual")
        .order_by("id")
        .values_list(
            "person__first_name",
            "person__last_name",
            "person__email",
            "person__city",
            "person__phone_mobile",
        )
    )
    companies = list(
        customers.filter(kind="company")
        .order_by("id")
        .values_list("company__legal_name", "company__siren", "company__siret")
    )
    vehicles = list(
        Vehicle.objects.in_workspace(workspace).order_by("id").values_list("plate", "vin")
    )
    accented = [p for p in individuals if fold(p[1]) != p[1].lower()]
    with_email = [p for p in individuals if p[2]]
    with_mobile = [p for p in individuals if p[4]]

    def pick(pool):
        return rng.choice(pool)

    def mobile_formats(number: str) -> dict:
        digits = number.replace(" ", "")
        return {
            "mobile 06 12 34 56 78": number,
            "mobile 0612345678": digits,
            "mobile +33 6 12 34 56 78": "+33 "
            + " ".join([digits[1]] + [digits[i : i + 2] for i in range(2, 10, 2)]),
            "phone 06.12.34.56.78": number.replace(" ", "."),
        }

    makers = {
        "last name": lambda: pick(individuals)[1],
        "partial last name": lambda: pick(individuals)[1][: rng.randint(4, 5)],
        "first and last name": lambda: " ".join(pick(individuals)[:2]),
        "unaccented name": lambda: fold(pick(accented or individuals)[1]),
        "upper-case name": lambda: pick(individuals)[1].upper(),
        "company name": lambda: _company_words(pick(companies)[0], rng),
        "city": lambda: pick(individuals)[3],
        "e-mail": lambda: pick(with_email)[2],
        "partial e-mail": lambda: pick(with_email)[2].split("@")[0],
        "plate AA-123-AA": lambda: pick(vehicles)[0],
        "plate aa123aa": lambda: pick(vehicles)[0].replace("-", "").lower(),
        "partial VIN": lambda: pick(vehicles)[1][-8:],
        "full VIN": lambda: pick(vehicles)[1],
        "SIRET": lambda: pick(companies)[2],
        "SIREN": lambda: pick(companies)[1],
        "SIRET with spaces": lambda: _spaced_siret(pick(companies)[2]),
    }
    queries = []
    for category, count, baseline_applies in MIX:
        for _ in range(count):
            if category in makers:
                text = makers[category]()
            else:
                text = mobile_formats(pick(with_mobile)[4])[category]
            queries.append({"category": category, "query": text, "recall": baseline_applies})
    return queries


def _company_words(legal_name: str, rng: random.Random) -> str:
    """'Transports Martin' -> 'Transports Mar': a first word and the start of the next."""
    words = legal_name.split()
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[1][: max(3, len(words[1]) - rng.randint(0, 3))]}"


def _spaced_siret(siret: str) -> str:
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


def _baseline(workspace, query: str):
    """The Django admin's search: each word ``icontains`` one of the fields, ``distinct()``."""
    from django.db.models import Q

    from relais.crm.models import Customer

    fields = [
        "person__first_name", "person__last_name", "company__legal_name", "company__trade_name",
        "person__email", "company__email", "person__phone_mobile", "person__phone_landline",
        "company__phone_mobile", "company__phone_landline", "person__city", "company__city",
        "company__siren", "company__siret", "vehicles__plate", "vehicles__vin",
    ]  # fmt: skip
    condition = Q()
    for word in query.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    customers = Customer.objects.in_workspace(workspace).select_related("person", "company")
    return customers.filter(condition).distinct().order_by("sort_name", "id")


def _relais(user, workspace, query: str):
    from relais.crm.selectors import customer_list

    return customer_list(user=user, workspace=workspace, query=query)


def _page(queryset) -> tuple[int, list, float]:
    started = time.perf_counter()
    count = queryset.count()
    rows = list(queryset[:PAGE_SIZE])
    return count, rows, (time.perf_counter() - started) * 1000


def _time_queries(user, workspace, queries: list[dict]) -> list[dict]:
    for query in queries[:2]:  # warm the caches of both methods
        _page(_relais(user, workspace, query["query"]))
        _page(_baseline(workspace, query["query"]))
    timings = []
    for index, query in enumerate(queries, start=1):
        relais_count, relais_rows, relais_ms = _page(_relais(user, workspace, query["query"]))
        baseline_count, baseline_rows, baseline_ms = _page(_baseline(workspace, query["query"]))
        timings.append(
            {
                **query,
                "relais_ms": relais_ms,
                "baseline_ms": baseline_ms,
                "relais_count": relais_count,
                "baseline_count": baseline_count,
                "baseline_page": [c.pk for c in baseline_rows],
            }
        )
        if index % 50 == 0:
            print(f"  {index}/{len(queries)} queries measured", file=sys.stderr, flush=True)
    return timings


def _recall(user, workspace, timings: list[dict]) -> dict:
    """Where the baseline's semantics apply, Relais must find all that the baseline finds."""
    checked, failures, relais_more = 0, [], 0
    for timing in timings:
        if not timing["recall"]:
            continue
        checked += 1
        if timing["baseline_count"] <= PAGE_SIZE:
            found_by_baseline = set(timing["baseline_page"])  # the page held every match
        else:
            found_by_baseline = set(
                _baseline(workspace, timing["query"]).values_list("pk", flat=True)
            )
        found_by_relais = set(
            _relais(user, workspace, timing["query"]).values_list("pk", flat=True)
        )
        missing = found_by_baseline - found_by_relais
        if missing:
            failures.append(
                {"query": timing["query"], "category": timing["category"], "missing": len(missing)}
            )
        relais_more += len(found_by_relais) > len(found_by_baseline)
    return {"checked": checked, "failures": failures, "relais_more": relais_more}


if __name__ == "__main__":
    sys.exit(main())
