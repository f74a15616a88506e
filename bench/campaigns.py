"""Campaign sending at 10,000 recipients: the batched send job against a per-row baseline.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and
filled with ``relais.crm.demo.generate_customers``; every customer is then given consent and
coordinates on the e-mail channel so that all are reachable. Measured on the same data, in
the same run:

* **relais**: ``campaign_send`` (freeze the recipients) + ``campaign_process`` (render the
  merge fields, bulk-create activities and interactions, draw the reactions), then one
  ``campaign_clock_advance`` of 30 days materialising every reaction;
* **baseline (per row)**: what a straightforward implementation does for each recipient —
  render, ``activity_create`` (the CRM service: validation, save, ``interactions.record``) and
  one ``CampaignRecipient`` save — on ``--baseline-sample`` recipients, reported per recipient
  and extrapolated to the whole base.
"""

import argparse
import json
import sys
import time
from datetime import date

from bench._engines import add_engine_arguments, bench_workspace, run_engines, worker_log

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_campaigns"
TODAY = date(2025, 6, 15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.campaigns", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--customers", type=int, default=10_000, help="recipients to generate (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated base")
    parser.add_argument(
        "--baseline-sample",
        type=int,
        default=1_000,
        help="recipients sent by the per-row baseline (default 1000)",
    )
    add_engine_arguments(parser, POSTGRES_URL)
    args, _unknown = parser.parse_known_args(argv)
    if args.customers < 1 or args.baseline_sample < 1:
        parser.error("--customers and --baseline-sample must be at least 1")
    if args.worker:
        print(json.dumps(_measure(args)), flush=True)
        return 0
    options = ["--customers", str(args.customers), "--seed", str(args.seed)]
    options += ["--baseline-sample", str(args.baseline_sample)]
    results = run_engines(parser, "campaigns", args, options)
    _report(results)
    return 0 if results else 1


def _report(results: list[dict]) -> None:
    print()
    print(
        "| engine | recipients | relais send s | relais clock +30 d s | relais per recipient ms"
        " | baseline per recipient ms | baseline extrapolated s | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        per_relais = 1000 * r["send_s"] / r["recipients"]
        print(
            f"| {r['engine']} | {r['recipients']:,} | {r['send_s']:.1f} | {r['clock_s']:.1f} | "
            f"{per_relais:.2f} | {r['baseline_ms']:.2f} | "
            f"{r['baseline_ms'] * r['recipients'] / 1000:.0f} | "
            f"**{r['baseline_ms'] / per_relais:.1f}×** |"
        )
    print()
    print("CPU time of this process (time.process_time; the machine may be loaded by other jobs):")
    print(
        "| engine | relais send CPU s | relais CPU per recipient ms"
        " | baseline CPU per recipient ms | CPU ratio |"
    )
    print("|---|---|---|---|---|")
    for r in results:
        per_relais = 1000 * r["send_cpu_s"] / r["recipients"]
        print(
            f"| {r['engine']} | {r['send_cpu_s']:.1f} | {per_relais:.2f} | "
            f"{r['baseline_cpu_ms']:.2f} | **{r['baseline_cpu_ms'] / per_relais:.1f}×** |"
        )


def _measure(args) -> dict:
    import os

    import django

    # Run the send job inline (as the tests do) rather than queue it for a worker.
    os.environ["HUEY_IMMEDIATE"] = "1"
    django.setup()
    from django.db import connection

    from relais.core.contacts.models import Company, Person
    from relais.crm.campaigns import merge_fields
    from relais.crm.campaigns.services import (
        campaign_clock_advance,
        campaign_create,
        campaign_process,
        campaign_send,
    )
    from relais.crm.demo import generate_customers
    from relais.crm.models import (
        Campaign,
        CampaignRecipient,
        Customer,
        Segment,
    )
    from relais.crm.services.records import activity_create

    engine = args.worker
    log = worker_log(engine)
    workspace, user = bench_workspace(log)
    log(f"generating {args.customers:,} customers…")
    generate_customers(
        workspace=workspace, count=args.customers, seed=args.seed, today=TODAY, owner=user
    )
    # Everyone reachable by e-mail, each with an address of their own.
    for model in (Person, Company):
        for pk in model.objects.filter(workspace=workspace).values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(
                consent_email=True, email=f"{model.__name__.lower()}{pk}@exemple.fr"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    segment = Segment.objects.create(
        workspace=workspace, name="Tous", definition={"match": "all", "conditions": []}
    )
    subject = "{{ prenom }}, votre révision"
    body = "Bonjour {{ civilite }} {{ nom }}, votre {{ vehicule }} : révision le {{ prochaine_revision }}."

    log("relais: sending…")
    campaign = campaign_create(
        actor=user,
        workspace=workspace,
        name="Banc",
        channel="email",
        segment=segment,
        subject=subject,
        body=body,
    )
    started, started_cpu = time.perf_counter(), time.process_time()
    campaign_send(actor=user, campaign=campaign)
    campaign.refresh_from_db()
    if campaign.status != "sent":  # the worker runs after commit, outside this process
        campaign_process(campaign=Campaign.objects.get(pk=campaign.pk))
    send_s = time.perf_counter() - started
    send_cpu_s = time.process_time() - started_cpu
    recipients = CampaignRecipient.objects.filter(campaign=campaign, excluded_reason="").count()
    started = time.perf_counter()
    campaign_clock_advance(actor=user, campaign=Campaign.objects.get(pk=campaign.pk), days=30)
    clock_s = time.perf_counter() - started
    log(f"relais: {recipients:,} sent in {send_s:.1f} s, clock in {clock_s:.1f} s")

    log("baseline: per-row sending…")
    baseline = campaign_create(
        actor=user,
        workspace=workspace,
        name="Banc ligne à ligne",
        channel="email",
        segment=segment,
        subject=subject,
        body=body,
    )
    sample = list(
        Customer.objects.in_workspace(workspace).select_related("person", "company")[
            : args.baseline_sample
        ]
    )
    started, started_cpu = time.perf_counter(), time.process_time()
    for customer in sample:
        values = merge_fields.MergeContext([customer], workspace=workspace).values(customer)
        activity = activity_create(
            actor=user,
            customer=customer,
            data={
                "kind": "email",
                "subject": merge_fields.render(subject, values),
                "body": merge_fields.render(body, values),
                "outcome": "done",
            },
        )
        CampaignRecipient.objects.create(
            workspace=workspace,
            campaign=baseline,
            customer=customer,
            activity=activity,
            subject=activity.subject,
            body=activity.body,
        )
    baseline_ms = 1000 * (time.perf_counter() - started) / len(sample)
    baseline_cpu_ms = 1000 * (time.process_time() - started_cpu) / len(sample)
    log(f"baseline: {baseline_ms:.2f} ms a recipient ({baseline_cpu_ms:.2f} ms CPU)")
    return {
        "engine": "SQLite" if engine == "sqlite" else "PostgreSQL",
        "recipients": recipients,
        "send_s": send_s,
        "send_cpu_s": send_cpu_s,
        "baseline_cpu_ms": baseline_cpu_ms,
        "clock_s": clock_s,
        "baseline_ms": baseline_ms,
    }


if __name__ == "__main__":
    sys.exit(main())
