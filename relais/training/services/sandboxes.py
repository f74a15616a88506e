"""Learner sandboxes: cloning a school template into a sandbox, and resetting it.

The copy is core's (``relais.core.workspaces.cloning``): one ``INSERT … SELECT`` per
registered record table, run inside the database, keys shifted per table so that every link
follows; no row is ever loaded into Python. This module adds what a sandbox needs on top:
dates dated for the day of use, leads drawn again, the learner as the owner of everything.

Dates roll forward: a school template is dated for its ``reference_date``; its sandboxes are
dated for the day they are created or reset on, moved by whole weeks (weekdays hold, so a
template without Sunday appointments gives sandboxes without them), then rows that land on a
French public holiday move to the next working day.
"""

import datetime
import functools
import uuid

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.models import User
from relais.core.accounts.permissions import ensure_permission, user_has_permission
from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import user_has_role
from relais.core.accounts.services import organization_role_grant
from relais.core.audit.models import AuditEntry
from relais.core.audit.services import audit_log
from relais.core.calendars import public_holidays
from relais.core.exceptions import NotFound
from relais.core.workspaces.cloning import (
    CopyResult,
    workspace_records_copy,
    workspace_records_reset,
)
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
from relais.core.workspaces.sandbox import workspace_where
from relais.crm.calendar import next_working_day
from relais.crm.demo import generate_leads
from relais.crm.models import Lead
from relais.training.models import Enrollment, SchoolBase, TrainingClass
from relais.training.permissions import Permission

# Regenerated for the day of use instead of copied (the seed: leads are always recent).
REGENERATED_MODELS = (Lead,)
# Dates that are not events: they roll forward with the rest, but a birthday on a public
# holiday is no appointment to move.
NOT_EVENTS = {"birth_date"}
LEADS_IF_NONE = 12
# Whether resets may be differential (core's ``workspace_records_reset`` given the key map).
# On: after a typical learner session it is faster than the full reset on both engines
# (docs/benchmarks.md, « Sandbox creation and reset »: SQLite 0.15 s against 0.24 s,
# PostgreSQL 0.24 s against 0.59 s). Tested against the full reset
# (tests/training/test_sandbox_differential_reset.py); switch it off to reset in full.
DIFFERENTIAL_RESET = True


# --- dates -----------------------------------------------------------------------------------


def date_shift_days(*, reference: datetime.date | None, today: datetime.date) -> int:
    """Days to add to a template dated ``reference`` to date it for ``today``: whole weeks,
    rounded down, so that every date keeps its weekday."""
    if reference is None:
        return 0
    return ((today - reference).days // 7) * 7


def _holidays_between(first: datetime.date, last: datetime.date) -> dict[datetime.date, int]:
    """Each public holiday in [first, last] and how many days move it to a working day."""
    moves = {}
    for year in range(first.year, last.year + 1):
        for day in public_holidays(year):
            if first <= day <= last:
                moves[day] = (next_working_day(day) - day).days
    return moves


# --- SQL pieces ------------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _add_days_sql(column: str, field: models.Field, days: int, seconds: int = 0) -> str:
    if not days and not seconds:
        return column
    if _is_postgresql():
        if isinstance(field, models.DateTimeField):
            # The connection works in UTC: a day is 24 hours; ``seconds`` restores local time.
            extra = f" + interval '{int(seconds)} seconds'" if seconds else ""
            return f"({column} + interval '{int(days)} days'{extra})"
        return f"({column} + {int(days)})"
    if isinstance(field, models.DateTimeField):
        # Django reads back SQLite's "YYYY-MM-DD HH:MM:SS.SSS".
        extra = f", '{int(seconds):+d} seconds'" if seconds else ""
        return f"strftime('%Y-%m-%d %H:%M:%f', {column}, '{int(days):+d} days'{extra})"
    return f"date({column}, '{int(days):+d} days')"


def _offset_changes(first: datetime.datetime, last: datetime.datetime) -> list:
    """The instants in [first, last] where the local UTC offset changes (daylight saving)."""
    return list(_offset_changes_in(first, last, timezone.get_current_timezone()))


@functools.lru_cache(maxsize=512)
def _offset_changes_in(first: datetime.datetime, last: datetime.datetime, zone) -> tuple:
    # Cached: a copy asks for the same ranges once per date column and public holiday, and
    # every reset of a template's sandboxes asks for them again. A week whose two ends have
    # the same offset is skipped whole (no zone changes its offset twice in a week); the
    # others are searched day by day, then by quarter hour.
    changes = []
    day = first.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    offset = day.astimezone(zone).utcoffset()
    week = datetime.timedelta(days=7)
    while day <= last:
        if day + week <= last and (day + week).astimezone(zone).utcoffset() == offset:
            day += week
            continue
        following = day + datetime.timedelta(days=1)
        next_offset = following.astimezone(zone).utcoffset()
        if next_offset != offset:
            for quarter in range(1, 97):  # transitions fall on quarter hours
                instant = day + datetime.timedelta(minutes=15 * quarter)
                if instant.astimezone(zone).utcoffset() != offset:
                    changes.append(instant)
                    break
        day, offset = following, next_offset
    return tuple(changes)


def _wall_clock_corrections(
    low: datetime.datetime, high: datetime.datetime, days: int
) -> list[tuple[datetime.datetime | None, int]]:
    """How many seconds to add, after moving an instant of [low, high] by ``days`` × 24 h,
    for it to keep its local wall-clock time (10:00 in winter stays 10:00 in summer):
    ``[(until, seconds), …, (None, seconds)]``, the pieces in order."""
    return list(_wall_clock_corrections_in(low, high, days, timezone.get_current_timezone()))


@functools.lru_cache(maxsize=512)
def _wall_clock_corrections_in(low, high, days: int, zone) -> tuple:
    delta = datetime.timedelta(days=days)
    margin = datetime.timedelta(days=1)
    bounds = set(_offset_changes_in(low - margin, high + margin, zone))
    bounds |= {
        t - delta for t in _offset_changes_in(low + delta - margin, high + delta + margin, zone)
    }
    bounds = sorted(b for b in bounds if low < b <= high)

    def correction(instant: datetime.datetime) -> int:
        wall = instant.astimezone(zone).replace(tzinfo=None) + delta
        return int((timezone.make_aware(wall, zone) - (instant + delta)).total_seconds())

    pieces: list = []
    start = low
    for bound in [*bounds, None]:
        seconds = correction(start)
        if pieces and pieces[-1][1] == seconds:
            pieces[-1] = (bound, seconds)
        else:
            pieces.append((bound, seconds))
        start = bound
    return tuple(pieces)


def _moved_sql(column: str, field: models.Field, days: int, low, high) -> tuple[str, list]:
    """The SQL moving ``column`` by ``days``: dates as they are; date-times in local time, so
    that an appointment keeps its hour across a daylight-saving change."""
    if not isinstance(field, models.DateTimeField) or low is None or not days:
        return _add_days_sql(column, field, days), []
    pieces = _wall_clock_corrections(low, high, days)
    if len(pieces) == 1:
        return _add_days_sql(column, field, days, pieces[0][1]), []
    adapt = connection.ops.adapt_datetimefield_value
    whens, params = [], []
    for bound, seconds in pieces[:-1]:
        whens.append(f"WHEN {column} < %s THEN {_add_days_sql(column, field, days, seconds)}")
        params.append(adapt(bound))
    last = _add_days_sql(column, field, days, pieces[-1][1])
    return f"(CASE {' '.join(whens)} ELSE {last} END)", params


def sandbox_clone_records(*, source: Workspace, target: Workspace, today, owner) -> int:
    """Copy every record of ``source`` into ``target`` inside the database; returns the
    number of rows written (regenerated leads included).

    The copy is core's ``workspace_records_clone``: keys shifted per table, links followed,
    public ids new, creation and modification times now. On top of it, user links (owner,
    author, actor…) go to ``owner``; dates move forward from the template's reference day to
    ``today`` by whole weeks, then off public holidays; leads are not copied: fresh ones are
    drawn in the 21 days before ``today``. Run inside a transaction; ``target`` should be
    empty.
    """
    return _clone(source=source, target=target, today=today, owner=owner).written


def _clone(*, source: Workspace, target: Workspace, today, owner) -> CopyResult:
    """``sandbox_clone_records`` with the copy's key map (kept on the enrollment for its
    differential resets)."""
    school = SchoolBase.objects.filter(workspace=source).first()
    copy = workspace_records_copy(
        source=source, target=target, **_clone_options(school=school, today=today, owner=owner)
    )
    leads = _regenerate(source=source, target=target, school=school, today=today, owner=owner)
    return CopyResult(copy.written + leads, copy.key_map)


def _clone_options(*, school, today, owner) -> dict:
    """The options of core's copy that date a template's records for ``today``."""
    reference = school.reference_date if school else today
    shift = date_shift_days(reference=reference, today=today)

    bounds: dict = {}  # per model, filled by one scan on its first date column

    def date_sql(cursor, model, field, column, source):
        if model not in bounds:
            bounds[model] = _date_bounds(cursor, model, source)
        return _rolled_date_sql(model, field, column, shift, bounds[model][field.column])

    return {"exclude": REGENERATED_MODELS, "owner": owner, "date_sql": date_sql}


def _regenerate(*, source, target, school, today, owner) -> int:
    lead_count = Lead.objects.in_workspace(source).count() or LEADS_IF_NONE
    return generate_leads(
        workspace=target,
        seed=(school.seed if school else 1) + target.pk,
        today=today,
        count=lead_count,
        owner=owner,
    )


def _date_bounds(cursor, model, source) -> dict[str, tuple]:
    """``{column: (lowest, highest)}`` of every date and date-time column of ``model`` in
    ``source``, in one scan of the table (not one per column)."""
    columns = [
        field.column
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField)
        and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]
    if not columns:
        return {}
    aggregates = ", ".join(f"MIN(s.{_q(c)}), MAX(s.{_q(c)})" for c in columns)
    cursor.execute(
        f"SELECT {aggregates} FROM {_q(model._meta.db_table)} s "  # noqa: S608 - model names
        f"WHERE {workspace_where(model, 's')}",
        [source.pk],
    )
    row = cursor.fetchone()
    return {column: (row[2 * i], row[2 * i + 1]) for i, column in enumerate(columns)}


def _rolled_date_sql(model, field, column: str, shift: int, bounds: tuple) -> tuple[str, list]:
    """The SQL moving a date column by ``shift`` days (date-times in local time), then off
    public holidays, in the same expression (no second pass over the rows): the holidays that
    the moved dates can reach are looked up from the column's range in the source
    (``bounds``), and each is tested in the source's frame (the local day ``shift`` days
    before), so that the test reads the stored value as is."""
    is_datetime = isinstance(field, models.DateTimeField)
    if field.name in NOT_EVENTS and not is_datetime:
        return _add_days_sql(column, field, shift), []
    low, high = bounds
    if low is None:
        return _add_days_sql(column, field, shift), []
    if is_datetime:
        low, high = _as_datetime(low), _as_datetime(high)
    moved, moved_params = _moved_sql(column, field, shift, low, high)
    if field.name in NOT_EVENTS:
        return moved, moved_params
    delta = datetime.timedelta(days=shift)
    first = _as_date(low, field) + delta - datetime.timedelta(days=1)
    last = _as_date(high, field) + delta + datetime.timedelta(days=1)
    moves = _holidays_between(first, last)
    if not moves:
        return moved, moved_params
    cases, params, guard_days = [], [], set()
    adapt = connection.ops.adapt_datetimefield_value
    for day, days in moves.items():
        if is_datetime:
            # The holiday is a local day: the source instants whose local day, moved, is it.
            start = _local_midnight(day - delta)
            end = _local_midnight(day - delta + datetime.timedelta(days=1))
            # Only that day's instants take this branch: its daylight-saving pieces are that
            # day's (one, or two on a change), not the whole column's — the column's range
            # spans years, and one CASE of all its changes per holiday made the statement
            # hundreds of kilobytes long, which SQLite compiles again for every new text.
            later, later_params = _moved_sql(column, field, shift + days, start, end)
            cases.append(f"WHEN {column} >= %s AND {column} < %s THEN {later}")
            params += [adapt(start), adapt(end), *later_params]
            guard_days |= {
                start.astimezone(datetime.UTC).date(),
                end.astimezone(datetime.UTC).date(),
            }
        else:
            later, later_params = _moved_sql(column, field, shift + days, low, high)
            cases.append(f"WHEN {column} = %s THEN {later}")
            params.append(connection.ops.adapt_datefield_value(day - delta))
            guard_days.add(day - delta)
    # A cheap membership test first: most rows are on no holiday and skip the long CASE.
    guard = ", ".join(["%s"] * len(guard_days))
    guard_params = [connection.ops.adapt_datefield_value(d) for d in sorted(guard_days)]
    if not is_datetime:
        subject = column
    elif _is_postgresql():
        subject = f"CAST(({column} AT TIME ZONE 'UTC') AS date)"
    else:
        subject = f"substr({column}, 1, 10)"
    # The holiday branch is NULL for a row on no holiday (or a null column): the plain move
    # then applies, written once.
    sql = f"COALESCE(CASE WHEN {subject} IN ({guard}) THEN CASE {' '.join(cases)} END END, {moved})"
    return sql, [*guard_params, *params, *moved_params]


def _as_datetime(value) -> datetime.datetime:
    if isinstance(value, str):  # SQLite aggregates come back as text
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _as_date(value, field) -> datetime.date:
    if isinstance(value, str):  # SQLite aggregates come back as text
        value = (
            datetime.datetime.fromisoformat(value)
            if isinstance(field, models.DateTimeField)
            else datetime.date.fromisoformat(value)
        )
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return timezone.localtime(value).date()
    return value


# --- classes, enrollments, resets ------------------------------------------------------------


def _ensure_template(*, organization, template: Workspace) -> None:
    if template.organization_id != organization.pk or template.kind != WorkspaceKind.TEMPLATE:
        raise ValidationError(
            {"template": _("Choisissez une base école de votre organisation.")}, code="template"
        )


@transaction.atomic
def class_create(*, actor, organization, name: str, template: Workspace) -> TrainingClass:
    """Open a class (session de formation) on a school template of ``organization``; the
    actor becomes its trainer."""
    ensure_permission(actor, Permission.TRAINING_MANAGE)
    if not user_has_permission(actor, Permission.TRAINING_MANAGE, organization=organization):
        raise NotFound(_("Organisation introuvable."))
    _ensure_template(organization=organization, template=template)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom à la session.")})
    training_class = TrainingClass(
        organization=organization, name=name, template=template, trainer=actor
    )
    training_class.full_clean()
    training_class.save()
    audit_log(
        actor=actor, action="training.class_create", target=training_class, workspace=template
    )
    return training_class


def _may_manage_class(actor, training_class: TrainingClass) -> bool:
    organization_id = training_class.organization_id
    if not user_has_permission(actor, Permission.TRAINING_MANAGE, organization=organization_id):
        return False
    if actor.is_superuser or training_class.trainer_id == actor.pk:
        return True
    return user_has_role(actor, Role.ADMINISTRATOR, organization=organization_id)


def ensure_class_manager(actor, training_class: TrainingClass) -> None:
    """Raise ``NotFound`` unless ``actor`` is the class's trainer (or an administrator of its
    organization): a class one does not run does not exist for them."""
    if not _may_manage_class(actor, training_class):
        raise NotFound(_("Session introuvable."))


@transaction.atomic
def sandbox_create(
    *, actor, training_class: TrainingClass, learner, today: datetime.date | None = None
) -> Enrollment:
    """Give ``learner`` their sandbox in ``training_class``: a SANDBOX workspace cloned from
    the class template, the learner's access to it, and the enrollment."""
    ensure_class_manager(actor, training_class)
    if not user_has_role(learner, Role.LEARNER, organization=training_class.organization_id):
        raise ValidationError(_("L'apprenant doit appartenir à l'organisation de la session."))
    if Enrollment.objects.filter(training_class=training_class, learner=learner).exists():
        raise ValidationError(
            _("%(name)s est déjà inscrit à cette session.")
            % {"name": learner.get_full_name() or learner.username}
        )
    today = today or timezone.localdate()
    label = learner.get_full_name() or learner.username
    sandbox = Workspace.objects.create(
        organization=training_class.organization,
        name=_("Bac à sable de %(name)s") % {"name": label},
        kind=WorkspaceKind.SANDBOX,
        template=training_class.template,
    )
    Membership.objects.create(workspace=sandbox, user=learner)
    copy = _clone(source=training_class.template, target=sandbox, today=today, owner=learner)
    enrollment = Enrollment.objects.create(
        training_class=training_class,
        learner=learner,
        sandbox=sandbox,
        materialised_for=today,
        clone_keys=copy.key_map,
    )
    audit_log(actor=actor, action="training.sandbox_create", target=sandbox, workspace=sandbox)
    return enrollment


@transaction.atomic
def learner_enroll(
    *,
    actor,
    training_class: TrainingClass,
    learner=None,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    today: datetime.date | None = None,
) -> tuple[Enrollment, str | None]:
    """Enroll a learner in a class, creating their account when ``learner`` is not given.

    Returns the enrollment and, for a new account, its initial password (to show once);
    ``None`` for an existing account.
    """
    ensure_class_manager(actor, training_class)
    password = None
    if learner is None:
        username = (username or "").strip()
        if not username:
            raise ValidationError({"username": _("Choisissez un identifiant de connexion.")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("Cet identifiant est déjà pris.")})
        password = _random_password()
        learner = User(
            username=username,
            first_name=(first_name or "").strip(),
            last_name=(last_name or "").strip(),
            email=(email or "").strip(),
            organization=training_class.organization,
        )
        learner.set_password(password)
        learner.full_clean(exclude=["password"])
        learner.save()
        organization_role_grant(
            user=learner,
            organization=training_class.organization,
            role=Role.LEARNER,
            actor=actor,
        )
    elif not user_has_role(learner, Role.LEARNER):
        raise ValidationError(_("Seul un compte apprenant peut être inscrit à une session."))
    enrollment = sandbox_create(
        actor=actor, training_class=training_class, learner=learner, today=today
    )
    return enrollment, password


def _random_password() -> str:
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def may_reset(actor, enrollment: Enrollment) -> bool:
    """The learner for their own sandbox, or the class's trainer."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if enrollment.learner_id == actor.pk and actor.has_role_permission(
        Permission.TRAINING_PRACTISE, workspace=enrollment.sandbox
    ):
        return True
    return _may_manage_class(actor, enrollment.training_class)


@transaction.atomic
def sandbox_reset(
    *, actor, enrollment: Enrollment, today: datetime.date | None = None
) -> Enrollment:
    """Restore a sandbox to the class template's state, dated for ``today``.

    Rewrites the records of the sandbox that differ from a fresh copy of the template (those
    the learner added, changed or deleted; every record when the sandbox has no fitting key
    map or its dates move to another week: see ``reset_is_differential`` and core's
    ``workspace_records_reset``), draws the leads again, drops the deletions' restorable
    copies (a deleted customer cannot come back after a reset) and counts the reset, all in
    one transaction. Raises ``NotFound`` for anyone but the learner and the
    class's trainer.
    """
    enrollment = _locked(enrollment)
    if not may_reset(actor, enrollment):
        raise NotFound(_("Bac à sable introuvable."))
    return _reset(actor=actor, enrollment=enrollment, today=today)


@transaction.atomic
def sandbox_reset_by_operator(
    *, enrollment: Enrollment, today: datetime.date | None = None, full: bool = False
) -> Enrollment:
    """``sandbox_reset`` for the server's operator (``manage.py reset_sandbox``): whoever
    holds a shell on the server is trusted; the audit entry has no actor. With ``full``,
    every record is deleted and copied again (not only those that differ)."""
    return _reset(actor=None, enrollment=_locked(enrollment), today=today, full=full)


def _locked(enrollment: Enrollment) -> Enrollment:
    # Two resets of one sandbox at once would interleave their deletes and copies.
    return (
        Enrollment.objects.select_for_update()
        .select_related("training_class", "training_class__template", "sandbox", "learner")
        .get(pk=enrollment.pk)
    )


def _reset(*, actor, enrollment: Enrollment, today, full: bool = False) -> Enrollment:
    today = today or timezone.localdate()
    sandbox = enrollment.sandbox
    template = enrollment.training_class.template
    school = SchoolBase.objects.filter(workspace=template).first()
    owner = enrollment.learner
    counts = workspace_records_reset(
        workspace=sandbox,
        source=template,
        key_map=enrollment.clone_keys,
        differential=not full
        and reset_is_differential(enrollment=enrollment, school=school, today=today),
        **_clone_options(school=school, today=today, owner=owner),
    )
    _drop_restorable_copies(sandbox)
    copied = counts.copied + _regenerate(
        source=template, target=sandbox, school=school, today=today, owner=owner
    )
    enrollment.reset_count += 1
    enrollment.last_reset_at = timezone.now()
    enrollment.materialised_for = today
    enrollment.clone_keys = counts.key_map
    enrollment.save(
        update_fields=[
            "reset_count",
            "last_reset_at",
            "materialised_for",
            "clone_keys",
            "updated_at",
        ]
    )
    audit_log(
        actor=actor,
        action="training.sandbox_reset",
        target=sandbox,
        workspace=sandbox,
        after={
            "deleted": counts.deleted,
            "copied": copied,
            "reset_count": enrollment.reset_count,
            "differential": counts.differential,
        },
    )
    return enrollment


def reset_is_differential(*, enrollment: Enrollment, school, today) -> bool:
    """Whether a reset for ``today`` may rewrite only the rows that differ (core's
    differential reset, when the sandbox's key map still fits its template): yes unless the
    dates move by another number of weeks than the sandbox's, which changes every dated
    row — then deleting and copying everything is cheaper than comparing first."""
    if not DIFFERENTIAL_RESET:
        return False
    reference = school.reference_date if school else None
    if reference is None:
        return True
    return date_shift_days(reference=reference, today=today) == date_shift_days(
        reference=reference, today=enrollment.materialised_for
    )


def _drop_restorable_copies(sandbox: Workspace) -> None:
    """Empty the sandbox's bin: the deletions stay in the audit trail, their copies go (as
    ``customer_deletion_copies_purge`` does), so that nothing deleted before a reset can be
    restored after it into the fresh records."""
    entries = AuditEntry.objects.filter(
        workspace=sandbox, action="customer.delete", before__has_key="restore"
    )
    purged_at = timezone.now().isoformat()
    for entry in entries.only("pk", "before"):
        entry.before.pop("restore", None)
        entry.before["restore_purged_at"] = purged_at
        AuditEntry.objects.filter(pk=entry.pk).update(before=entry.before)


def sandbox_get_by_public_id(public_id) -> Enrollment:
    """The enrollment of a sandbox by the workspace's public id (no access check: callers
    check with ``may_reset``); ``NotFound`` on an unknown or malformed id."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Bac à sable introuvable.")) from None
    enrollment = (
        Enrollment.objects.select_related("training_class", "sandbox", "learner")
        .filter(sandbox__public_id=public_id)
        .first()
    )
    if enrollment is None:
        raise NotFound(_("Bac à sable introuvable."))
    return enrollment
