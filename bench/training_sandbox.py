"""Creating and resetting a learner's sandbox: Relais's set-based copy against the naive ORM way.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and one
school template of ``--customers`` customers (600 by default) is generated once, dated a
year before the day of use so that every date has to move. Then, interleaved, ``--runs``
times each:

* **relais create**: a new workspace and ``sandbox_clone_records`` (one INSERT … SELECT per
  table, dates rolled forward in SQL, leads regenerated);
* **relais reset**: ``sandbox_reset`` of an enrolled learner's sandbox after a typical
  learner session (``--changes`` rows changed, added or deleted, about 20: contacts edited,
  activities logged, a customer added, interactions deleted…): the differential reset, which
  deletes the rows that differ from a fresh copy and copies back only those;
* **reset, everything changed**: the same after every row of every copied table was changed
  (the differential reset's worst case);
* **full reset**: the former way, kept as the fallback (``sandbox_reset_by_operator(full=
  True)``): one DELETE per table, then the whole copy — the baseline of the differential;
* **naive create**: the same records re-created through the ORM one object at a time
  (``save()`` per row, keys remapped in Python, dates moved in Python, same leads);
* **naive reset**: the ORM's ``delete()`` of the sandbox's records, then the naive create.

Every operation runs in its own transaction, as in the application. The report gives the
median (wall and CPU time of the Python process), the ratios full / differential and
naive / relais, and where each kind of reset spends its time: the SQL statements by kind
(``DELETE``, ``INSERT … SELECT``, the ``SELECT`` of key ranges and date bounds) and the
commit, where PostgreSQL runs the deferred foreign-key checks of the new rows. The naive way
runs ``--naive-runs`` times (1 by default: seconds each). Then a class of ``--class-size`` learners (30) is reset as the trainer does it, « tout
réinitialiser »: ``class_reset_start``, one background job (Huey, run at once here) with its
progress. Targets (issue 12): a reset under 0.2 s on SQLite and 0.4 s on PostgreSQL, at least
10× the naive way.
Each engine runs in its own process (Django settings are per process), configured through
``DATABASE_URL`` and ``RELAIS_VAR_DIR`` (see ``bench/_engines.py``).
"""

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta

from bench._engines import add_engine_arguments, run_postgres, run_sqlite

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_sandbox"
TODAY = date(2025, 6, 15)
REFERENCE = TODAY - timedelta(weeks=52) + timedelta(days=3)  # not a whole number of weeks
TARGET_RESET_S = {"sqlite": 0.2, "postgresql": 0.4}
TARGET_RATIO = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.training_sandbox", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--customers", type=int, default=600, help="customers of the school template (600)"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each operation (5)")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the template (2025)")
    parser.add_argument(
        "--class-size", type=int, default=30, help="sandboxes of the class reset at once (30)"
    )
    parser.add_argument(
        "--changes", type=int, default=20, help="rows a typical learner session changes (20)"
    )
    parser.add_argument("--naive-runs", type=int, default=1, help="runs of the naive way (1)")
    add_engine_arguments(parser, POSTGRES_URL)
    args, _unknown = parser.parse_known_args(argv)
    if args.customers < 1 or args.runs < 1:
        parser.error("--customers and --runs must be at least 1")
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
    _report(results)
    return 0 if results else 1


# --- orchestration (parent process) ------------------------------------------------------------


def _options(args) -> list[str]:
    return [
        "--customers",
        str(args.customers),
        "--seed",
        str(args.seed),
        "--runs",
        str(args.runs),
        "--class-size",
        str(args.class_size),
        "--changes",
        str(args.changes),
        "--naive-runs",
        str(args.naive_runs),
    ]


def _run_sqlite(args) -> dict:
    return run_sqlite("training_sandbox", _options(args))


def _run_postgres(args) -> dict | None:
    return run_postgres("training_sandbox", args.postgres_url, _options(args))


def _report(results: list[dict]) -> None:
    if not results:
        print("No engine could be measured.")
        return
    for result in results:
        print(
            f"{result['engine']}: template of {result['customers']} customers, "
            f"{result['rows']} rows copied per sandbox, median of {result['runs']} runs "
            f"(naive: {result['naive_runs']})"
        )
        relais, naive = result["relais"], result["naive"]
        print(f"  {'operation':<44} {'wall (s)':>9} {'CPU (s)':>8}")
        for key, label in (
            ("create", "create"),
            ("reset", f"reset, typical session ({result['changes']} rows changed)"),
            ("reset_all", "reset, every row changed"),
            ("reset_full", "full reset (the former way, the fallback)"),
            ("reset_week", "reset dated for another week (full, fallback)"),
        ):
            print(f"  {label:<44} {relais[key]:>9.3f} {relais[key + '_cpu']:>8.3f}")
        print(
            f"  ratio full / differential reset (typical): "
            f"{relais['reset_full'] / relais['reset']:.1f}×; "
            f"naive ORM create {naive['create']:.3f} s ({naive['create'] / relais['create']:.1f}×), "
            f"naive reset {naive['reset']:.3f} s ({naive['reset'] / relais['reset']:.1f}×)"
        )
        for key, title in (
            ("reset", "a typical reset"),
            ("reset_all", "a reset with every row changed"),
            ("reset_full", "a full reset"),
        ):
            print(f"  where {title}'s time goes (median of the runs, seconds):")
            for name, seconds in result["parts"][key].items():
                print(f"    {name:<52} {seconds:>7.3f}")
        job = result["class_reset"]
        print(
            f"  class reset, one background job: {job['sandboxes']} sandboxes "
            f"(each after a typical session) in {job['seconds']:.2f} s "
            f"({job['seconds'] / job['sandboxes']:.3f} s each), "
            f"progress {job['done']}/{job['total']}, job {job['status']}, "
            f"{job['differential']} differential"
        )
        reset = relais["reset"]
        ratio = naive["reset"] / reset
        target = TARGET_RESET_S[result["engine"]]
        verdict = "met" if reset < target and ratio >= TARGET_RATIO else "NOT met"
        print(
            f"  target (typical reset < {target} s and ≥ {TARGET_RATIO}× the naive way): "
            f"{verdict}\n"
        )


# --- measuring (worker process) ----------------------------------------------------------------


class _StatementTimes:
    """Seconds spent in each kind of SQL statement, and in commits, while active."""

    def __init__(self, connection):
        self.connection = connection
        self.seconds: dict = {}
        self.active = False
        original_commit = connection._commit

        def timed_commit(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original_commit(*args, **kwargs)
            finally:
                self.add("commit (PostgreSQL: deferred foreign-key checks)", started)

        connection._commit = timed_commit
        connection.execute_wrappers.append(self)

    def add(self, name: str, started: float) -> None:
        if self.active:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            head = sql.lstrip()[:6].upper()
            if head == "INSERT" and " SELECT " in sql:
                name = "INSERT … SELECT (the copy)"
            elif head == "DELETE" and " EXISTS " in sql:
                name = "DELETE of rows that differ (compared in SQL)"
            elif head == "DELETE":
                name = "DELETE (the sandbox's records)"
            elif head == "SELECT" and ("MIN(" in sql or "nextval" in sql):
                name = "SELECT key ranges and date bounds"
            else:
                name = "other statements (locks, leads, audit, counts)"
            self.add(name, started)


def _measure(args) -> dict:
    import os

    import django

    # The class reset's job runs at once, in this process, when its transaction commits.
    os.environ["HUEY_IMMEDIATE"] = "1"
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from relais.core.accounts.models import OrganizationMembership, User
    from relais.core.accounts.roles import Role
    from relais.core.organizations.models import Organization
    from relais.core.workspaces.cloning import workspace_records_delete
    from relais.core.workspaces.models import Workspace, WorkspaceKind
    from relais.training.models import TrainingClass
    from relais.training.services import sandboxes
    from relais.training.services.sandboxes import (
        sandbox_clone_records,
        sandbox_create,
        sandbox_reset,
        sandbox_reset_by_operator,
    )

    # The application's default (on); the bench checks each reset took the way it measures.
    sandboxes.DIFFERENTIAL_RESET = True
    engine = args.worker
    log = lambda message: print(f"  {engine}: {message}", file=sys.stderr, flush=True)  # noqa: E731
    log("migrating…")
    call_command("migrate", verbosity=0, interactive=False)
    organization = Organization.objects.create(name="Banc d'essai", slug="banc-d-essai")
    trainer = User.objects.create_user(
        username="formateur", password=None, organization=organization
    )
    learners = [
        User.objects.create_user(username=name, password=None, organization=organization)
        for name in ("relais", "naif")
    ]
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(user=user, organization=organization, role=role)
        for user, role in [(trainer, Role.TRAINER)] + [(user, Role.LEARNER) for user in learners]
    )
    log(f"generating a {args.customers}-customer template…")
    template = _template(organization, trainer, args)
    training_class = TrainingClass.objects.create(
        organization=organization, name="Banc", template=template, trainer=trainer
    )
    enrollment = sandbox_create(
        actor=trainer, training_class=training_class, learner=learners[0], today=TODAY
    )
    naive_enrollment = sandbox_create(
        actor=trainer, training_class=training_class, learner=learners[1], today=TODAY
    )
    rows = _row_count(enrollment.sandbox)
    keys = ["create", "reset", "reset_all", "reset_full", "reset_week"]
    timings: dict = {key: [] for key in keys + [k + "_cpu" for k in keys]}
    timings.update(naive_create=[], naive_reset=[])
    parts: dict = {key: [] for key in keys}

    def fresh_workspace():
        return Workspace.objects.create(
            organization=organization,
            name="Bac à sable (banc)",
            kind=WorkspaceKind.SANDBOX,
            template=template,
        )

    def drop(workspace):
        with transaction.atomic():
            workspace_records_delete(workspace)
            workspace.delete()

    from django.db import connection

    statements = _StatementTimes(connection)

    def timed(key: str, operation) -> None:
        started, started_cpu = time.perf_counter(), time.process_time()
        statements.seconds, statements.active = {}, True
        operation()
        statements.active = False
        timings[key].append(time.perf_counter() - started)
        timings[key + "_cpu"].append(time.process_time() - started_cpu)
        measured = dict(statements.seconds)
        measured["Python (services, SQL built, leads drawn)"] = timings[key][-1] - sum(
            measured.values()
        )
        parts[key].append(measured)

    def reset(**options):
        return lambda: sandbox_reset(actor=learners[0], enrollment=enrollment, **options)

    week_later = TODAY + timedelta(days=7)
    for run in range(args.runs):
        log(f"run {run + 1}/{args.runs}")
        target = fresh_workspace()

        def create(target=target):
            with transaction.atomic():
                sandbox_clone_records(
                    source=template, target=target, today=TODAY, owner=learners[0]
                )

        timed("create", create)
        drop(target)

        learner_session(enrollment, args.changes, seed=run)
        timed("reset", reset(today=TODAY))
        _check_differential(enrollment.sandbox, expected=True)
        change_everything(enrollment.sandbox)
        timed("reset_all", reset(today=TODAY))
        _check_differential(enrollment.sandbox, expected=True)
        learner_session(enrollment, args.changes, seed=run)
        timed(
            "reset_full",
            lambda: sandbox_reset_by_operator(enrollment=enrollment, today=TODAY, full=True),
        )
        _check_differential(enrollment.sandbox, expected=False)
        learner_session(enrollment, args.changes, seed=run)
        timed("reset_week", reset(today=week_later))
        _check_differential(enrollment.sandbox, expected=False)
        sandbox_reset(actor=learners[0], enrollment=enrollment, today=TODAY)  # back, untimed

        if run < args.naive_runs:
            target = fresh_workspace()
            started = time.perf_counter()
            with transaction.atomic():
                naive_clone(source=template, target=target, today=TODAY, owner=learners[1])
            timings["naive_create"].append(time.perf_counter() - started)
            drop(target)

            started = time.perf_counter()
            with transaction.atomic():
                naive_delete(naive_enrollment.sandbox)
                naive_clone(
                    source=template,
                    target=naive_enrollment.sandbox,
                    today=TODAY,
                    owner=learners[1],
                )
            timings["naive_reset"].append(time.perf_counter() - started)
    if _row_count(naive_enrollment.sandbox) != _row_count(enrollment.sandbox):
        raise SystemExit("the naive way did not produce the same rows")
    median = {key: statistics.median(values) for key, values in timings.items() if values}
    log(f"class reset of {args.class_size} sandboxes…")
    class_reset = _class_reset(organization, template, trainer, args)
    return {
        "parts": {
            key: {
                name: statistics.median(p.get(name, 0.0) for p in measured)
                for name in sorted({name for p in measured for name in p})
            }
            for key, measured in parts.items()
        },
        "class_reset": class_reset,
        "engine": engine,
        "customers": args.customers,
        "runs": args.runs,
        "naive_runs": args.naive_runs,
        "changes": args.changes,
        "rows": rows,
        "relais": {key: median[key] for key in timings if not key.startswith("naive")},
        "naive": {"create": median["naive_create"], "reset": median["naive_reset"]},
        "all": timings,
    }


def _check_differential(sandbox, *, expected: bool) -> None:
    from relais.core.audit.models import AuditEntry

    entry = (
        AuditEntry.objects.filter(action="training.sandbox_reset", workspace=sandbox)
        .order_by("-pk")
        .first()
    )
    if entry.after.get("differential") is not expected:
        raise SystemExit(
            f"expected a {'differential' if expected else 'full'} reset: {entry.after}"
        )


def learner_session(enrollment, changes: int, seed: int) -> int:
    """What a learner does in a typical session, about ``changes`` rows: contacts edited,
    activities reworded, interactions deleted, customers added with a note (through the
    services). Returns the rows written."""
    import random

    from relais.core.contacts.models import Person
    from relais.core.interactions.models import Interaction
    from relais.crm.models import Activity, Customer
    from relais.crm.services.customers import customer_create
    from relais.crm.services.records import note_create

    rng = random.Random(seed)
    sandbox, learner = enrollment.sandbox, enrollment.learner
    quarter = max(changes // 4, 1)

    def some(queryset, count):
        keys = list(queryset.values_list("pk", flat=True))
        return rng.sample(keys, min(count, len(keys)))

    written = Person.objects.filter(
        pk__in=some(Person.objects.in_workspace(sandbox), quarter)
    ).update(last_name="Modifié")
    written += Activity.objects.filter(
        pk__in=some(Activity.objects.in_workspace(sandbox), quarter)
    ).update(subject="Relancé par l'apprenant")
    written += Interaction.objects.filter(
        pk__in=some(Interaction.objects.in_workspace(sandbox), quarter)
    ).delete()[0]
    while written < changes:
        customer = customer_create(
            actor=learner,
            workspace=sandbox,
            kind="individual",
            contact_data={"first_name": "Nina", "last_name": f"Nouvelle{written}"},
        )
        note_create(actor=learner, customer=customer, data={"projects": "Un utilitaire"})
        written += 3
    if not Customer.objects.in_workspace(sandbox).exists():
        raise SystemExit("empty sandbox")
    return written


def change_everything(sandbox) -> int:
    """Change one column of every row of every copied table (the differential reset's worst
    case): a text column gets a suffix, or else a number grows by one."""
    from django.db import connection, models

    from relais.core.workspaces.sandbox import sandbox_models, workspace_where

    changed = 0
    with connection.cursor() as cursor:
        for model in sandbox_models():
            fields = [
                f
                for f in model._meta.concrete_fields
                if not f.is_relation and not f.primary_key and not f.unique and not f.choices
            ]
            text = [f for f in fields if isinstance(f, (models.CharField, models.TextField))]
            numbers = [f for f in fields if isinstance(f, models.IntegerField)]
            if text:
                column = connection.ops.quote_name(text[0].column)
                expression = f"{column} || 'x'"
            elif numbers:
                column = connection.ops.quote_name(numbers[0].column)
                expression = f"{column} + 1"
            else:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"UPDATE {table} SET {column} = {expression} "  # noqa: S608 - model names
                f"WHERE {workspace_where(model)}",
                [sandbox.pk],
            )
            changed += cursor.rowcount
    return changed


def _class_reset(organization, template, trainer, args) -> dict:
    """A class of ``--class-size`` learners, each with a sandbox; the trainer resets them
    all: the job is queued when the transaction commits and runs at once (Huey immediate)."""
    from django.db import transaction
    from django.utils import timezone

    from relais.core.accounts.models import OrganizationMembership, User
    from relais.core.accounts.roles import Role
    from relais.core.jobs.models import Job
    from relais.training.models import Enrollment, TrainingClass
    from relais.training.services.class_reset import class_reset_start
    from relais.training.services.sandboxes import sandbox_create

    training_class = TrainingClass.objects.create(
        organization=organization, name="Classe", template=template, trainer=trainer
    )
    day = timezone.localdate()
    for index in range(args.class_size):
        learner = User.objects.create_user(
            username=f"classe-{index:02d}", password=None, organization=organization
        )
        OrganizationMembership.objects.create(
            user=learner, organization=organization, role=Role.LEARNER
        )
        # Dated for the day the job runs on (``class_reset_run`` resets for today).
        enrollment = sandbox_create(
            actor=trainer, training_class=training_class, learner=learner, today=day
        )
        learner_session(enrollment, args.changes, seed=index)
    started = time.perf_counter()
    with transaction.atomic():
        job = class_reset_start(actor=trainer, training_class=training_class)
    seconds = time.perf_counter() - started
    job = Job.objects.get(pk=job.pk)
    resets = Enrollment.objects.filter(training_class=training_class, reset_count=1).count()
    from relais.core.audit.models import AuditEntry

    differential = AuditEntry.objects.filter(
        action="training.sandbox_reset",
        workspace__enrollment__training_class=training_class,
        after__differential=True,
    ).count()
    if resets != args.class_size:
        raise SystemExit(f"the class reset reset {resets} of {args.class_size} sandboxes")
    return {
        "sandboxes": args.class_size,
        "seconds": seconds,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "differential": differential,
    }


def _template(organization, trainer, args):
    from relais.training.services.school import school_base_generate

    school = school_base_generate(
        actor=trainer,
        organization=organization,
        name="Base école (banc)",
        customers=args.customers,
        seed=args.seed,
        today=REFERENCE,
    )
    return school.workspace


def _row_count(workspace) -> dict:
    from relais.core.workspaces.sandbox import sandbox_models

    counts = {}
    for model in sandbox_models():
        manager = model._default_manager
        if any(f.name == "workspace" for f in model._meta.concrete_fields):
            counts[model._meta.label] = manager.filter(workspace=workspace).count()
        else:
            link = next(
                f
                for f in model._meta.concrete_fields
                if f.is_relation
                and not f.null
                and any(g.name == "workspace" for g in f.related_model._meta.concrete_fields)
            )
            counts[model._meta.label] = manager.filter(
                **{f"{link.name}__workspace": workspace}
            ).count()
    return sum(counts.values())


# --- the naive way: the ORM, one object at a time -----------------------------------------------


def naive_delete(workspace) -> None:
    """Delete the sandbox's records with the ORM (its collector follows the cascades)."""
    from relais.core.workspaces.sandbox import sandbox_models

    for model in reversed(sandbox_models()):
        if any(f.name == "workspace" for f in model._meta.concrete_fields):
            model._default_manager.filter(workspace=workspace).delete()


def naive_clone(*, source, target, today, owner) -> None:
    """What the set-based copy does, written the obvious way: load each row, remap its
    links, move its dates, ``save()`` it."""
    import datetime
    import uuid

    from django.contrib.contenttypes.fields import GenericForeignKey
    from django.contrib.contenttypes.models import ContentType
    from django.db import models
    from django.utils import timezone

    from relais.core.accounts.models import User
    from relais.core.workspaces.models import Workspace
    from relais.core.workspaces.sandbox import sandbox_models
    from relais.crm.calendar import next_working_day
    from relais.crm.models import Lead
    from relais.training.models import SchoolBase
    from relais.training.services.sandboxes import (
        NOT_EVENTS,
        date_shift_days,
        generate_leads,
    )

    school = SchoolBase.objects.filter(workspace=source).first()
    shift = datetime.timedelta(
        days=date_shift_days(reference=school.reference_date if school else today, today=today)
    )
    copied = [m for m in sandbox_models() if m is not Lead]
    new_keys: dict = {model: {} for model in copied}
    content_types = {
        ct.pk: model for model, ct in ContentType.objects.get_for_models(*copied).items()
    }
    for model in copied:
        generic = {
            gfk.fk_field: gfk.ct_field
            for gfk in model._meta.private_fields
            if isinstance(gfk, GenericForeignKey)
        }
        if any(f.name == "workspace" for f in model._meta.concrete_fields):
            rows = model._default_manager.filter(workspace=source)
        else:
            link = next(
                f
                for f in model._meta.concrete_fields
                if f.is_relation and not f.null and f.related_model in new_keys
            )
            rows = model._default_manager.filter(**{f"{link.name}__workspace": source})
        for obj in rows.order_by("pk"):
            old_pk = obj.pk
            obj.pk = None
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if field.primary_key:
                    continue
                if field.is_relation and field.related_model is Workspace:
                    setattr(obj, field.attname, target.pk)
                elif field.is_relation and field.related_model in new_keys:
                    if value is not None:
                        setattr(obj, field.attname, new_keys[field.related_model][value])
                elif field.is_relation and field.related_model is Lead:
                    setattr(obj, field.attname, None)
                elif field.is_relation and field.related_model is User:
                    if value is not None:
                        setattr(obj, field.attname, owner.pk)
                elif field.name in generic and value is not None:
                    related = content_types.get(getattr(obj, f"{generic[field.name]}_id"))
                    if related in new_keys:
                        setattr(obj, field.attname, new_keys[related].get(value, value))
                elif isinstance(field, models.UUIDField) and field.unique:
                    setattr(obj, field.attname, uuid.uuid4())
                elif isinstance(field, models.DateField) and value is not None:
                    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                        continue
                    moved = value + shift
                    if field.name not in NOT_EVENTS:
                        if isinstance(moved, datetime.datetime):
                            local = timezone.localtime(moved)
                            day = (
                                next_working_day(local.date())
                                if moved.weekday() != 6
                                else local.date()
                            )
                            moved += datetime.timedelta(days=(day - local.date()).days)
                        elif moved.weekday() != 6:
                            moved = next_working_day(moved)
                    setattr(obj, field.attname, moved)
            obj.save(force_insert=True)
            new_keys[model][old_pk] = obj.pk
    generate_leads(
        workspace=target,
        seed=(school.seed if school else 1) + target.pk,
        today=today,
        count=Lead.objects.in_workspace(source).count() or 12,
        owner=owner,
    )


if __name__ == "__main__":
    sys.exit(main())
