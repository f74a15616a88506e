"""The moderator's board of the front door with 10,000 open requests: the real page against
the obvious ORM page, server time.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and a
network of six bodies is filled in bulk: ``--referents`` referents, ``--requests`` open
requests in every open state (one in ten waiting for the dispatcher, one in ten waiting for
the requester), deadlines spread from three weeks late to a month ahead, one to three
bodies seized of each (``--closed`` closed requests beside them, with their surveys).

* **Relais**: ``frontdoor:board`` through the Django test client as the network's moderator
  (middleware, template and navigation included): the totals, the counts per body and per
  referent aggregated in the database, the survey results, 50 requests a page. The plain
  board and its « en retard » column are timed alternately.
* **Baseline**: the obvious ORM page a first version would write — every open request of the
  network, its bodies and referents read per request (N+1), the counts per body and referent
  summed in Python, every request in one table, rendered with a Django template.

Target: p95 ≥ 10× better. ``--requests`` scales the board down on a small machine.
"""

import argparse
import datetime
import json
import random
import sys
import time

from bench._engines import (
    add_engine_arguments,
    bench_workspace,
    print_latency_table,
    run_engines,
    worker_log,
)
from bench.community_topic import _percentiles  # nearest-rank p50 and p95

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_frontdoor_board"
TARGET = 10
CODES = ("URSSAF", "CAF", "CPAM", "CARSAT", "FRANCE_TRAVAIL", "CIBTP")
SUBJECTS = (
    "Embauche d'un apprenti",
    "Cotisations du trimestre",
    "Accident du travail sur le chantier",
    "Arrêt maladie d'un compagnon",
    "Chômage intempéries",
    "Attestation de vigilance",
    "Prévention des chutes de hauteur",
    "Aide à l'embauche",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.frontdoor_board", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--requests", type=int, default=10_000, help="open requests (10000)")
    parser.add_argument("--closed", type=int, default=2_000, help="closed requests (2000)")
    parser.add_argument("--referents", type=int, default=60, help="referents (60)")
    parser.add_argument("--repeat", type=int, default=20, help="real page requests (20)")
    parser.add_argument(
        "--baseline-repeat",
        type=int,
        default=5,
        help="obvious page requests (5: each takes a minute or more at 10,000 requests)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    add_engine_arguments(parser, POSTGRES_URL)
    args, _unknown = parser.parse_known_args(argv)
    if args.requests < 10 or args.referents < len(CODES):
        parser.error("--requests must be at least 10 and --referents at least 6")
    if args.worker:
        print(json.dumps(_measure(args)), flush=True)
        return 0
    options = [
        *("--requests", str(args.requests), "--closed", str(args.closed)),
        *("--referents", str(args.referents), "--repeat", str(args.repeat)),
        *("--baseline-repeat", str(args.baseline_repeat)),
        *("--seed", str(args.seed)),
    ]
    results = run_engines(parser, "frontdoor_board", args, options)
    for result in results:
        print(
            f"{result['engine']}: {result['open']:,} open requests, {result['assignments']:,} "
            f"assignments, {result['closed']:,} closed; generated in {result['generation_s']:.1f} s; "
            f"real page {result['relais_queries']} queries, obvious page "
            f"{result['baseline_queries']:,} queries"
        )
    print_latency_table(
        f"Moderator's board, {args.requests:,} open requests (server time, {args.repeat} "
        f"real pages, {args.baseline_repeat} obvious pages)",
        results,
        relais_label="relais board",
        baseline_label="obvious ORM page",
        target_ratio=TARGET,
        baseline_name="the obvious ORM page",
    )
    return 0 if results else 1


def _generate(args, log) -> dict:
    """The network, its referents and moderator, the requests and assignments, in bulk."""
    import secrets

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from relais.core.accounts.models import OrganizationMembership, User
    from relais.core.organizations.models import Organization
    from relais.core.workspaces.models import Workspace
    from relais.frontdoor.models import (
        AssignmentState,
        Body,
        Network,
        Priority,
        Referent,
        Request,
        RequestAssignment,
        RequestChannel,
        RequestState,
        SatisfactionSurvey,
    )

    rng = random.Random(args.seed)
    host = Organization.objects.create(name="Réseau BTP (banc)", slug="reseau-btp-banc")
    workspace = Workspace.objects.create(organization=host, name="Guichet (banc d'essai)")
    network = Network.objects.create(
        name="Guichet BTP", slug="btp-banc", organization=host, workspace=workspace
    )
    moderator = User.objects.create_user(username="moderateur", password=None, organization=host)
    OrganizationMembership.objects.create(user=moderator, organization=host, role="supervisor")
    bodies = []
    for code in CODES:
        organization = Organization.objects.create(name=code, slug=f"{code.lower()}-banc")
        bodies.append(
            Body.objects.create(
                network=network, organization=organization, code=code, name=f"{code} 31"
            )
        )
    password = make_password(None)
    referents: dict[int, list] = {body.pk: [] for body in bodies}
    for n in range(args.referents):
        body = bodies[n % len(bodies)]
        user = User.objects.create(
            username=f"referent-{n}",
            first_name="Référent",
            last_name=str(n),
            password=password,
            organization=body.organization,
        )
        OrganizationMembership.objects.create(
            user=user, organization=body.organization, role="referent"
        )
        Referent.objects.create(user=user, body=body)
        referents[body.pk].append(user)
    now = timezone.now()
    today = now.date()
    open_states = [RequestState.PENDING, RequestState.IN_PROGRESS] * 4 + [
        RequestState.TO_DISPATCH,
        RequestState.WAITING,
    ]
    requests = []
    total = args.requests + args.closed
    for n in range(total):
        closed = n >= args.requests
        state = RequestState.CLOSED if closed else open_states[n % len(open_states)]
        received = now - datetime.timedelta(days=rng.randint(0, 40), minutes=n % 1440)
        requests.append(
            Request(
                workspace=workspace,
                network=network,
                tracking_code=f"GU-{n:04X}-{secrets.token_hex(2).upper()}",
                channel=RequestChannel.WEB,
                subject=SUBJECTS[n % len(SUBJECTS)],
                text="Question d'un employeur du bâtiment.",
                priority=Priority.CRITICAL if n % 97 == 0 else Priority.NORMAL,
                critical=n % 97 == 0,
                state=state,
                waiting_for_requester=state == RequestState.WAITING,
                received_at=received,
                rejection_deadline=today + datetime.timedelta(days=60),
                first_answer_due=today + datetime.timedelta(days=rng.randint(-25, 20)),
                resolution_due=today + datetime.timedelta(days=rng.randint(-21, 30)),
                closed_at=now if closed else None,
            )
        )
    log(f"requests: {total:,}…")
    Request.objects.bulk_create(requests, batch_size=2000)
    requests = list(Request.objects.filter(network=network).order_by("id"))
    assignments = []
    for request in requests:
        if request.state == RequestState.TO_DISPATCH:
            continue
        for body in rng.sample(bodies, rng.choice((1, 1, 1, 2, 2, 3))):
            pending = request.state == RequestState.PENDING
            answered = request.state == RequestState.CLOSED
            assignments.append(
                RequestAssignment(
                    request=request,
                    body=body,
                    state=AssignmentState.PENDING
                    if pending
                    else (AssignmentState.ANSWERED if answered else AssignmentState.ACCEPTED),
                    received_at=request.received_at,
                    handled_by=None if pending else rng.choice(referents[body.pk]),
                    first_answer_due=request.first_answer_due,
                    resolution_due=request.resolution_due,
                )
            )
    log(f"assignments: {len(assignments):,}…")
    RequestAssignment.objects.bulk_create(assignments, batch_size=2000)
    SatisfactionSurvey.objects.bulk_create(
        [
            SatisfactionSurvey(
                request=request,
                token=secrets.token_urlsafe(32),
                score=1 + n % 5 if n % 3 else None,
                comment="Rapide et clair." if n % 7 == 0 else "",
                answered_at=now if n % 3 else None,
            )
            for n, request in enumerate(r for r in requests if r.closed_at)
        ],
        batch_size=2000,
    )
    return {"network": network, "moderator": moderator, "assignments": len(assignments)}


_OBVIOUS = None


def _obvious_page(network_pk: int) -> str:
    """What a first version would write: every open request, its bodies and referents read
    per request, the counts summed in Python, one table of everything."""
    from django.template import Context
    from django.utils import timezone

    from relais.frontdoor.models import OPEN_STATES, Request

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=2)
    per_body: dict[str, dict] = {}
    per_referent: dict[str, dict] = {}
    totals = {"open": 0, "overdue": 0, "due_soon": 0, "unassigned": 0, "waiting": 0}
    rows = []
    for request in Request.objects.filter(network_id=network_pk, state__in=OPEN_STATES).order_by(
        "resolution_due", "received_at", "id"
    ):
        due = request.resolution_due
        overdue = bool(due and due < today)
        due_soon = bool(due and today <= due <= soon)
        totals["open"] += 1
        totals["overdue"] += overdue
        totals["due_soon"] += due_soon
        totals["unassigned"] += request.state == "to_dispatch"
        totals["waiting"] += request.state == "waiting"
        names = []
        for assignment in request.assignments.filter(state__in=["pending", "accepted"]):
            body = assignment.body  # one query per assignment
            counts = per_body.setdefault(body.name, {"open": 0, "overdue": 0, "pending": 0})
            counts["open"] += 1
            counts["overdue"] += overdue
            counts["pending"] += assignment.state == "pending"
            if assignment.handled_by_id:
                referent = assignment.handled_by  # and one per referent
                key = referent.get_full_name() or referent.username
                counts = per_referent.setdefault(key, {"open": 0, "overdue": 0})
                counts["open"] += 1
                counts["overdue"] += overdue
                names.append(f"{body.code} ({key})")
            else:
                names.append(body.code)
        rows.append({"request": request, "bodies": " ".join(names), "overdue": overdue})
    return _OBVIOUS.render(
        Context(
            {
                "totals": totals,
                "per_body": sorted(per_body.items()),
                "per_referent": sorted(per_referent.items()),
                "rows": rows,
            }
        )
    )


def _count_queries(connection, call) -> int:
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return count


def _measure(args) -> dict:
    import os

    import django

    os.environ.setdefault("RELAIS_PLAIN_STATIC", "1")  # no collected manifest in the worker
    django.setup()
    global _OBVIOUS
    from django.conf import settings
    from django.db import connection
    from django.template import Template
    from django.test import Client
    from django.test.utils import setup_test_environment

    from relais.frontdoor.models import OPEN_STATES, Request, RequestAssignment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    _OBVIOUS = Template(
        "<html><body><h1>Suivi</h1><p>{{ totals.open }} ouvertes, {{ totals.overdue }} en "
        "retard</p><table>{% for name, c in per_body %}<tr><th>{{ name }}</th><td>{{ c.open }}"
        "</td><td>{{ c.overdue }}</td></tr>{% endfor %}</table><table>{% for name, c in "
        "per_referent %}<tr><th>{{ name }}</th><td>{{ c.open }}</td></tr>{% endfor %}</table>"
        "<table>{% for row in rows %}<tr><td>{{ row.request.tracking_code }}</td><td>"
        "{{ row.request.subject }}</td><td>{{ row.request.get_state_display }}</td><td>"
        "{{ row.bodies }}</td><td>{{ row.request.resolution_due }}</td></tr>{% endfor %}"
        "</table></body></html>"
    )
    engine = args.worker
    log = worker_log(engine)
    bench_workspace(log)
    started = time.perf_counter()
    generated = _generate(args, log)
    generation_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    network = generated["network"]
    log(f"generated in {generation_s:.1f} s; measuring…")

    client = Client()
    client.force_login(generated["moderator"])
    pages = ["/guichet/suivi-du-reseau/", "/guichet/suivi-du-reseau/?etat=overdue"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    relais_queries = _count_queries(connection, lambda: client.get(pages[0]))
    baseline_queries = _count_queries(connection, lambda: _obvious_page(network.pk))
    relais_ms, baseline_ms = [], []
    for index in range(args.repeat):
        started = time.perf_counter()
        response = client.get(pages[index % 2])
        relais_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    for _index in range(args.baseline_repeat):
        started = time.perf_counter()
        _obvious_page(network.pk)
        baseline_ms.append((time.perf_counter() - started) * 1000)
    return {
        "engine": engine,
        "open": Request.objects.filter(network=network, state__in=OPEN_STATES).count(),
        "closed": Request.objects.filter(network=network, closed_at__isnull=False).count(),
        "assignments": RequestAssignment.objects.filter(request__network=network).count(),
        "generation_s": generation_s,
        "relais_queries": relais_queries,
        "baseline_queries": baseline_queries,
        "relais": _percentiles(relais_ms),
        "baseline": _percentiles(baseline_ms),
    }


if __name__ == "__main__":
    sys.exit(main())
