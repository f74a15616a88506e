"""Dashboard rendering at 100,000 customers: Relais against the plain-ORM way of computing it.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and
filled once with ``relais.crm.demo.generate_customers``. A user's default dashboard (eight
widgets: customers count, conversion, revenue per month by invoice type, revenue per customer,
after-sales visits per month, leads by type, leads by age, follow-ups due) is then computed:

* **relais**: ``relais.crm.dashboards.selectors.dashboard_data`` — grouped aggregates in the
  database — and, separately, the whole page (``GET /crm/tableaux-de-bord/``: figures, table
  alternatives, chart data, template);
* **baseline**: the same figures with the plain ORM and Python — every customer loaded with
  its invoices and activities (``select_related`` + ``prefetch_related``, so no query per
  customer), then loops over the related managers (``customer.invoices.all()``) to sum, count
  and group by month, type or status.

Both give the same figures (checked on every run); the report gives the median time of each,
and their ratio.
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

from bench._engines import add_engine_arguments, bench_workspace, run_engines, worker_log

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_dashboards"
TODAY = date(2025, 6, 15)
TARGET_RATIO = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dashboards", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--customers", type=int, default=100_000, help="customers to generate (default 100000)"
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated data")
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs of Relais (median; default 5)"
    )
    add_engine_arguments(parser, POSTGRES_URL)
    args, _unknown = parser.parse_known_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.worker:
        print(json.dumps(_measure(args)), flush=True)
        return 0

    options = [
        "--customers", str(args.customers), "--seed", str(args.seed),
        "--repeat", str(args.repeat),
    ]  # fmt: skip
    results = run_engines(parser, "dashboards", args, options)
    _report(results, args)
    return 0 if results and all(r["same_figures"] for r in results) else 1


def _report(results: list[dict], args) -> None:
    if not results:
        print("No engine could be measured.")
        return
    print()
    print(
        f"Dashboard — {args.customers:,} customers, default dashboard of "
        f"{results[0]['widgets']} widgets"
    )
    header = f"{'engine':<11} {'method':<52} {'seconds':>9}"
    print(header)
    print("-" * len(header))
    for result in results:
        ratio = result["baseline_s"] / result["relais_s"]
        print(f"{result['engine']:<11} {'relais (dashboard_data, aggregates in the database)':<52} "
              f"{result['relais_s']:>9.3f}")  # fmt: skip
        print(f"{'':<11} {'relais, whole page (GET, figures + template)':<52} "
              f"{result['page_s']:>9.3f}")  # fmt: skip
        print(f"{'':<11} {'baseline (prefetch, Python loops over related rows)':<52} "
              f"{result['baseline_s']:>9.3f}")  # fmt: skip
        print(f"{'':<11} {'ratio baseline / relais':<52} {ratio:>8.0f}×")
    print()
    for result in results:
        ratio = result["baseline_s"] / result["relais_s"]
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        same = (
            "same figures"
            if result["same_figures"]
            else "FIGURES DIFFER: " + ", ".join(result["differences"])
        )
        print(
            f"{result['engine']}: {ratio:.0f}× (target ≥ {TARGET_RATIO}×: {verdict}); {same}; "
            f"slowest widget {result['slowest'][0]} {result['slowest'][1] * 1000:.0f} ms"
        )
        print(
            "  per widget, relais / baseline (ms): "
            + ", ".join(
                f"{kind} {seconds * 1000:.0f} / {result['baseline_widgets'][kind] * 1000:.0f}"
                for kind, seconds in result["relais_widgets"].items()
            )
        )
        print(f"  baseline loading of the rows: {result['baseline_load_s']:.1f} s")
        rows = result["rows"]
        print(
            f"generation ({result['engine']}): {result['customers']:,} customers in "
            f"{result['generation_s']:.0f} s ({rows['invoices']:,} invoices, "
            f"{rows['activities']:,} activities, {rows['leads']:,} leads)"
        )


# --- measurement (worker process) ----------------------------------------------------------


def _measure(args) -> dict:
    os.environ.setdefault("RELAIS_PLAIN_STATIC", "1")  # no collectstatic manifest needed
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from relais.core.accounts.roles import Role
    from relais.crm.dashboards.selectors import dashboard_data
    from relais.crm.dashboards.services import dashboard_get_or_create
    from relais.crm.demo import generate_customers
    from relais.crm.models import Activity, Invoice, Lead

    engine = args.worker
    log = worker_log(engine)
    workspace, user = bench_workspace(log, role=Role.AGENT, member=True)
    started = time.perf_counter()
    shown = {"tenth": -1}

    def progress(done: int, total: int) -> None:
        if 10 * done // total > shown["tenth"]:
            shown["tenth"] = 10 * done // total
            log(f"generating {total:,} customers… {100 * done // total} %")

    generate_customers(
        workspace=workspace,
        count=args.customers,
        seed=args.seed,
        today=TODAY,
        owner=user,
        progress=progress,
    )
    generation_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    dashboard = dashboard_get_or_create(actor=user, workspace=workspace)
    widgets = list(dashboard.widgets.order_by("y", "x", "id"))
    log(f"generated in {generation_s:.0f} s; measuring Relais…")

    def relais():
        return dashboard_data(user=user, workspace=workspace, dashboard=dashboard, today=TODAY)

    relais()  # warm the caches, as for the baseline below
    timings, views = [], None
    for _ in range(args.repeat):
        started = time.perf_counter()
        views = relais()
        timings.append(time.perf_counter() - started)
    per_widget = []
    for widget in widgets:
        from relais.crm.dashboards.selectors import widget_data

        started = time.perf_counter()
        widget_data(user=user, workspace=workspace, widget=widget, today=TODAY)
        per_widget.append((widget.kind, time.perf_counter() - started))

    client = Client()
    client.force_login(user)
    page_timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        response = client.get("/crm/tableaux-de-bord/", HTTP_HOST="localhost")
        page_timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code

    log("measuring the baseline…")
    started = time.perf_counter()
    naive, naive_timings = _baseline(workspace, widgets)
    load_s = naive_timings.pop("load")
    baseline_s = time.perf_counter() - started

    differences = []
    for view in views:
        expected = (view.data.labels, [list(map(_plain, s.values)) for s in view.data.series])
        if naive[view.widget.kind] != expected:
            differences.append(view.widget.kind)
    return {
        "engine": engine,
        "customers": args.customers,
        "widgets": len(widgets),
        "generation_s": generation_s,
        "rows": {
            "invoices": Invoice.objects.in_workspace(workspace).count(),
            "activities": Activity.objects.in_workspace(workspace).count(),
            "leads": Lead.objects.in_workspace(workspace).count(),
        },
        "relais_s": statistics.median(timings),
        "page_s": statistics.median(page_timings),
        "baseline_s": baseline_s,
        "slowest": max(per_widget, key=lambda item: item[1]),
        "relais_widgets": dict(per_widget),
        "baseline_widgets": naive_timings,
        "baseline_load_s": load_s,
        "same_figures": not differences,
        "differences": differences,
    }


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


# --- the baseline: the same figures, computed the naive way --------------------------------


def _baseline(workspace, widgets) -> tuple[dict, dict]:
    """Each default widget's (labels, series values), computed in Python by looping over the
    customers and their related managers (``customer.invoices.all()``…).

    The related rows are fetched with ``prefetch_related`` — the plain ORM used well: the
    same loops with one query per customer cost about 3 ms a customer on this machine, an
    hour for 100,000 customers. Loading is timed with the figures (``load`` below).
    """
    from django.utils import timezone

    from relais.crm.dashboards.catalogue import CATALOGUE
    from relais.crm.dashboards.selectors import _month_label, _months, period_bounds
    from relais.crm.models import Customer, InvoiceKind, Lead, LeadStatus, LeadType

    timings = {}
    began = time.perf_counter()
    customers = list(
        Customer.objects.filter(workspace=workspace)
        .select_related("person", "company", "owner")
        .prefetch_related("invoices", "activities")
    )
    leads = list(Lead.objects.filter(workspace=workspace))
    timings["load"] = time.perf_counter() - began
    results = {}
    for widget in widgets:
        began = time.perf_counter()
        start, end = period_bounds(widget.period, TODAY)
        if not CATALOGUE[widget.kind].uses_period:
            start, end = None, None

        def within(day, start=start, end=end):
            return (start is None or day >= start) and (end is None or day <= end)

        if widget.kind == "customers_count":
            counted = Counter(c.status for c in customers if within(c.created_at.date()))
            results[widget.kind] = (
                ["Clients", "Prospects"],
                [[counted["customer"], counted["prospect"]]],
            )
        elif widget.kind == "conversion":
            counted = Counter(c.status for c in customers)
            labels, values = ["Prospects", "Clients"], [counted["prospect"], counted["customer"]]
            if start is not None:
                newcomers = 0
                for customer in customers:
                    days = [i.issued_on for i in customer.invoices.all()]
                    if customer.status == "customer" and days and within(min(days)):
                        newcomers += 1
                labels.append("Nouveaux clients sur la période")
                values.append(newcomers)
            results[widget.kind] = (labels, [values])
        elif widget.kind == "revenue_per_customer":
            totals = []
            for customer in customers:
                invoices = [i for i in customer.invoices.all() if within(i.issued_on)]
                if invoices:
                    total = sum(i.total_excl_tax for i in invoices)
                    totals.append((total, customer.pk, customer.display_name))
            totals.sort(key=lambda t: (-t[0], t[1]))
            top = totals[:10]
            results[widget.kind] = ([t[2] for t in top], [[float(t[0]) for t in top]])
        elif widget.kind in ("revenue_by_month", "aftersales_visits"):
            sums, visits, people = defaultdict(Decimal), Counter(), defaultdict(set)
            for customer in customers:
                for invoice in customer.invoices.all():
                    if not within(invoice.issued_on):
                        continue
                    month = invoice.issued_on.replace(day=1)
                    sums[(month, invoice.kind)] += invoice.total_excl_tax
                    if invoice.kind == InvoiceKind.AFTER_SALES:
                        visits[month] += 1
                        people[month].add(customer.pk)
            seen = sorted({m for m, _k in sums} if widget.kind == "revenue_by_month" else visits)
            first = start or (seen[0] if seen else TODAY)
            months = _months(first, end or (seen[-1] if seen else TODAY)) if seen else []
            labels = [_month_label(m) for m in months]
            if widget.kind == "revenue_by_month":
                series = [
                    [float(sums.get((m, kind), 0)) for m in months] for kind in InvoiceKind.values
                ]
            else:
                series = [[visits[m] for m in months], [len(people[m]) for m in months]]
            results[widget.kind] = (labels, series)
        elif widget.kind == "leads_by_type":
            counted = Counter(lead.lead_type for lead in leads if within(lead.emitted_at.date()))
            ordered = sorted(
                ((str(LeadType(k).label), n) for k, n in counted.items()),
                key=lambda item: (-item[1], item[0]),
            )
            results[widget.kind] = ([o[0] for o in ordered], [[o[1] for o in ordered]])
        elif widget.kind == "leads_by_age":
            limits = [2, 7, 14, 21]
            counted = Counter()
            for lead in leads:
                age = (TODAY - timezone.localtime(lead.emitted_at).date()).days
                bucket = next((i for i, days in enumerate(limits) if age <= days), len(limits))
                counted[(bucket, lead.status)] += 1
            labels = ["Moins de 3 jours", "3 à 7 jours", "8 à 14 jours", "15 à 21 jours",
                      "Plus de 21 jours"]  # fmt: skip
            series = [[counted[(b, status)] for b in range(5)] for status in LeadStatus.values]
            results[widget.kind] = (labels, series)
        elif widget.kind == "follow_ups":
            end_of_week = TODAY + timedelta(days=6 - TODAY.weekday())
            overdue = week = 0
            for customer in customers:
                activities = list(customer.activities.all())
                for activity in activities:
                    due = activity.next_follow_up_on
                    if due is None or due > end_of_week:
                        continue
                    if any(a.occurred_at > activity.occurred_at for a in activities):
                        continue  # followed up since
                    if due < TODAY:
                        overdue += 1
                    else:
                        week += 1
            results[widget.kind] = (["En retard", "Cette semaine"], [[overdue, week]])
        timings[widget.kind] = time.perf_counter() - began
    return results, timings


if __name__ == "__main__":
    sys.exit(main())
