"""The community's indicators for its back office, computed in SQL over a period.

Every figure is an aggregate query (counts, distinct counts, medians picked by ``ORDER BY …
LIMIT 1 OFFSET k``): nothing loops over topics or posts in Python, so that the page stays fast
on a forum of a million posts. A period is a range of local calendar days, both ends included.

Definitions (shown on the page and in the administrators' guide):

- *membres*: profiles created up to the period's end; *nouveaux membres*: created in the period;
- *membres actifs*: members who wrote, liked or flagged a message that day (a visit alone
  leaves no dated trace); *actifs sur 30 jours*: the same over the 30 days ending with the
  period;
- *sujets*, *réponses*: created in the period, deleted ones left out;
- *taux de résolution*: questions of the period with an accepted answer or an official answer
  in force, over the questions of the period;
- *part de réponses officielles*: answers of the period that carry an official answer in force
  (written or validated by the organisation), over the answers of the period;
- *délai de première réponse*: from the question to its first answer, median over the questions
  of the period that got one; *délai de réponse officielle*: to the first official answer;
- *sans réponse*: questions of the period still without any answer;
- *signalements*: flags raised in the period, and the median time moderators took to decide;
- *recherches sans résultat*: searches of the period that found nothing (logged in the kernel's
  interaction log under ``community.search.empty``).
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.community.access import ensure
from relais.community.models import (
    Community,
    Flag,
    MemberProfile,
    OfficialAnswer,
    Post,
    PostLike,
    Topic,
)
from relais.community.permissions import Event, Permission
from relais.core.interactions.models import Interaction

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
LONGEST_PERIOD = 366 * 3
TOP_CONTRIBUTORS = 10
TOP_SEARCHES = 20
_DURATION = DurationField()


@dataclass(frozen=True)
class Period:
    """Local calendar days ``start`` to ``end``, both included."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self) -> datetime.datetime:
        return _midnight(self.start)

    @property
    def until(self) -> datetime.datetime:
        """The first instant after the period."""
        return _midnight(self.end + datetime.timedelta(days=1))

    def dates(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=n) for n in range(self.days)]


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def last_days(days: int, today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(start=today - datetime.timedelta(days=days - 1), end=today)


def period_from(
    start: datetime.date | None, end: datetime.date | None, today: datetime.date | None = None
) -> Period:
    """The period a filter names: missing ends default to the last 30 days up to today."""
    today = today or timezone.localdate()
    end = end or today
    start = start or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
    return Period(start=start, end=end)


@dataclass
class Kpis:
    period: Period
    members: int = 0
    new_members: int = 0
    active_daily_average: float = 0.0
    active_monthly: int = 0
    topics: int = 0
    questions: int = 0
    answers: int = 0
    solved: int = 0
    solved_rate: float | None = None
    official_answers: int = 0
    official_share: float | None = None
    first_answer_median: datetime.timedelta | None = None
    official_answer_median: datetime.timedelta | None = None
    unanswered: int = 0
    flags: int = 0
    flags_pending: int = 0
    flags_by_reason: list[tuple[str, int]] = field(default_factory=list)
    flag_handling_median: datetime.timedelta | None = None
    searches_empty: int = 0
    searches_empty_top: list[tuple[str, int]] = field(default_factory=list)
    contributors: list[dict] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)


def _in(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}created_at__gte": period.since, f"{prefix}created_at__lt": period.until})


def median(queryset: QuerySet, expression) -> datetime.timedelta | None:
    """The median of ``expression`` (a duration) over the rows of ``queryset``, in SQL: the
    middle row (or the mean of the two middle rows) of the sorted values."""
    values = queryset.annotate(_value=expression).filter(_value__isnull=False)
    count = values.count()
    if not count:
        return None
    ordered = values.order_by("_value").values_list("_value", flat=True)
    low = ordered[(count - 1) // 2 : (count - 1) // 2 + 1][0]
    high = ordered[count // 2 : count // 2 + 1][0]
    return (low + high) / 2


def _questions(community: Community, period: Period) -> QuerySet[Topic]:
    return Topic.objects.filter(
        _in(period), community=community, kind=Topic.Kind.QUESTION, is_deleted=False
    )


def _answers(community: Community, period: Period) -> QuerySet[Post]:
    return Post.objects.filter(
        _in(period), topic__community=community, position__gt=0, is_deleted=False
    )


def _active_official(post_ref: str = "pk"):
    return OfficialAnswer.objects.filter(
        post_id=OuterRef(post_ref), state=OfficialAnswer.State.ACTIVE
    )


def _activity_sql(community: Community, since, until):
    """SQL of the rows (user, local day) of members' contributions: posts, likes, flags."""
    day = TruncDate("created_at")
    parts = [
        Post.objects.filter(topic__community=community, created_at__gte=since, created_at__lt=until)
        .exclude(author=None)
        .annotate(uid=F("author_id"), day=day)
        .values("uid", "day"),
        PostLike.objects.filter(
            post__topic__community=community, created_at__gte=since, created_at__lt=until
        )
        .annotate(uid=F("user_id"), day=day)
        .values("uid", "day"),
        Flag.objects.filter(community=community, created_at__gte=since, created_at__lt=until)
        .annotate(uid=F("flagger_id"), day=day)
        .values("uid", "day"),
    ]
    sqls, params = [], []
    for part in parts:
        sql, part_params = part.order_by().query.sql_with_params()
        sqls.append(sql)
        params.extend(part_params)
    return " UNION ".join(sqls), params


def _active(community: Community, period: Period) -> tuple[dict[datetime.date, int], int, int]:
    """Active members by day, the number of distinct active members over the period, and
    over the 30 days ending with it."""
    union, params = _activity_sql(community, period.since, period.until)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.day, COUNT(DISTINCT a.uid) FROM ({union}) a GROUP BY a.day",  # noqa: S608
            params,
        )
        by_day = {_as_date(day): count for day, count in cursor.fetchall()}
        month_start = _midnight(period.end - datetime.timedelta(days=29))
        union, params = _activity_sql(community, month_start, period.until)
        cursor.execute(f"SELECT COUNT(DISTINCT a.uid) FROM ({union}) a", params)  # noqa: S608
        monthly = cursor.fetchone()[0]
    return by_day, sum(by_day.values()), monthly


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _per_day(queryset: QuerySet) -> dict[datetime.date, int]:
    return {
        _as_date(row["day"]): row["n"]
        for row in queryset.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    }


def compute(*, community: Community, period: Period) -> Kpis:
    """Every indicator of ``community`` over ``period`` (no permission check: ``kpis_for``)."""
    kpis = Kpis(period=period)
    profiles = MemberProfile.objects.filter(community=community)
    kpis.members = profiles.filter(created_at__lt=period.until).count()
    kpis.new_members = profiles.filter(_in(period)).count()

    topics = Topic.objects.filter(_in(period), community=community, is_deleted=False)
    questions = _questions(community, period)
    answers = _answers(community, period)
    kpis.topics = topics.count()
    solved_filter = Q(accepted_answer__isnull=False) | Exists(
        OfficialAnswer.objects.filter(
            post__topic_id=OuterRef("pk"), state=OfficialAnswer.State.ACTIVE
        )
    )
    counts = questions.aggregate(
        total=Count("pk"),
        solved=Count("pk", filter=solved_filter),
        unanswered=Count("pk", filter=Q(replies_count=0)),
    )
    kpis.questions, kpis.solved, kpis.unanswered = (
        counts["total"],
        counts["solved"],
        counts["unanswered"],
    )
    kpis.solved_rate = kpis.solved / kpis.questions if kpis.questions else None
    answer_counts = answers.aggregate(
        total=Count("pk"), official=Count("pk", filter=Exists(_active_official()))
    )
    kpis.answers, kpis.official_answers = answer_counts["total"], answer_counts["official"]
    kpis.official_share = kpis.official_answers / kpis.answers if kpis.answers else None

    first_answer = Subquery(
        Post.objects.filter(topic_id=OuterRef("pk"), position__gt=0, is_deleted=False)
        .order_by("created_at")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )
    kpis.first_answer_median = median(
        questions, ExpressionWrapper(first_answer - F("created_at"), output_field=_DURATION)
    )
    first_official = Subquery(
        OfficialAnswer.objects.filter(post__topic_id=OuterRef("pk"))
        .order_by("validated_at")
        .values("validated_at")[:1],
        output_field=DateTimeField(),
    )
    kpis.official_answer_median = median(
        questions, ExpressionWrapper(first_official - F("created_at"), output_field=_DURATION)
    )

    flags = Flag.objects.filter(_in(period), community=community)
    kpis.flags = flags.count()
    kpis.flags_pending = flags.filter(state=Flag.State.PENDING).count()
    reasons = dict(Flag.Reason.choices)
    kpis.flags_by_reason = [
        (str(reasons.get(row["reason"], row["reason"])), row["n"])
        for row in flags.values("reason").annotate(n=Count("pk")).order_by("-n", "reason")
    ]
    kpis.flag_handling_median = median(
        flags.exclude(handled_at=None),
        ExpressionWrapper(F("handled_at") - F("created_at"), output_field=_DURATION),
    )

    searches = Interaction.objects.filter(
        workspace=community.workspace,
        event_code=Event.SEARCH_EMPTY,
        started_at__gte=period.since,
        started_at__lt=period.until,
    )
    kpis.searches_empty = searches.count()
    kpis.searches_empty_top = list(
        searches.values("topic")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic")
        .values_list("topic", "n")[:TOP_SEARCHES]
    )

    kpis.contributors = contributors(community=community, period=period)

    active_by_day, active_total_days, kpis.active_monthly = _active(community, period)
    kpis.active_daily_average = active_total_days / period.days
    members_by_day = _per_day(profiles.filter(_in(period)))
    topics_by_day = _per_day(topics)
    answers_by_day = _per_day(answers)
    kpis.daily = [
        {
            "day": day,
            "new_members": members_by_day.get(day, 0),
            "active": active_by_day.get(day, 0),
            "topics": topics_by_day.get(day, 0),
            "answers": answers_by_day.get(day, 0),
        }
        for day in period.dates()
    ]
    return kpis


def contributors(*, community: Community, period: Period, limit: int = TOP_CONTRIBUTORS):
    """The members who answered most in the period: answers, accepted, validated."""
    display_name = Subquery(
        MemberProfile.objects.filter(community=community, user_id=OuterRef("author_id")).values(
            "display_name"
        )[:1]
    )
    rows = (
        _answers(community, period)
        .exclude(author=None)
        .values("author_id")
        .annotate(
            answers=Count("pk"),
            accepted=Count("pk", filter=Q(topic__accepted_answer=F("pk"))),
            validated=Count(
                "pk",
                filter=Q(
                    official__kind=OfficialAnswer.Kind.VALIDATED,
                    official__state=OfficialAnswer.State.ACTIVE,
                ),
            ),
            name=display_name,
        )
        .order_by("-answers", "-accepted", "-validated", "name", "author_id")[:limit]
    )
    return [
        {
            "name": row["name"] or _("membre supprimé"),
            "answers": row["answers"],
            "accepted": row["accepted"],
            "validated": row["validated"],
        }
        for row in rows
    ]


def kpis_for(*, user, community: Community, period: Period) -> Kpis:
    """The indicators, for staff who may read them."""
    ensure(user, Permission.KPIS, community)
    return compute(community=community, period=period)


# --- presentation: French numbers, CSV rows, chart data --------------------------------------


def french_number(value, decimals: int = 0) -> str:
    """``1234.5`` -> ``1 234,5`` (narrow no-break space between thousands, decimal comma)."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def french_percent(share: float | None) -> str:
    return "—" if share is None else f"{french_number(share * 100, 1)}\u00a0%"


def french_duration(delta: datetime.timedelta | None) -> str:
    """A duration in words: ``2 h 05 min``, ``3 j 4 h``, ``45 min``, ``moins d'une minute``."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return _("moins d'une minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}\u00a0j {hours}\u00a0h"
    if hours:
        return f"{hours}\u00a0h {minutes:02d}\u00a0min"
    return f"{minutes}\u00a0min"


def hours(delta: datetime.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 2)


def summary_rows(kpis: Kpis) -> list[tuple[str, str, str]]:
    """(key, label, French value) of each headline indicator: the page's table and cards."""
    return [
        ("members", _("Membres"), french_number(kpis.members)),
        ("new_members", _("Nouveaux membres"), french_number(kpis.new_members)),
        (
            "active_daily",
            _("Membres actifs par jour (moyenne)"),
            french_number(kpis.active_daily_average, 1),
        ),
        ("active_monthly", _("Membres actifs sur 30 jours"), french_number(kpis.active_monthly)),
        ("topics", _("Sujets ouverts"), french_number(kpis.topics)),
        ("answers", _("Réponses"), french_number(kpis.answers)),
        ("solved_rate", _("Taux de résolution des questions"), french_percent(kpis.solved_rate)),
        ("official_share", _("Part de réponses officielles"), french_percent(kpis.official_share)),
        (
            "first_answer_median",
            _("Délai médian de première réponse"),
            french_duration(kpis.first_answer_median),
        ),
        (
            "official_answer_median",
            _("Délai médian de réponse officielle"),
            french_duration(kpis.official_answer_median),
        ),
        ("unanswered", _("Questions sans réponse"), french_number(kpis.unanswered)),
        ("flags", _("Signalements"), french_number(kpis.flags)),
        ("flags_pending", _("Signalements en attente"), french_number(kpis.flags_pending)),
        (
            "flag_handling_median",
            _("Délai médian de traitement des signalements"),
            french_duration(kpis.flag_handling_median),
        ),
        ("searches_empty", _("Recherches sans résultat"), french_number(kpis.searches_empty)),
    ]


def chart_data(kpis: Kpis) -> dict:
    """What the page's charts draw (the tables under them hold the same figures)."""
    return {
        "days": [row["day"].strftime("%d/%m") for row in kpis.daily],
        "series": [
            {"name": _("Sujets"), "data": [row["topics"] for row in kpis.daily]},
            {"name": _("Réponses"), "data": [row["answers"] for row in kpis.daily]},
            {"name": _("Membres actifs"), "data": [row["active"] for row in kpis.daily]},
            {"name": _("Nouveaux membres"), "data": [row["new_members"] for row in kpis.daily]},
        ],
        "contributors": [
            {"name": row["name"], "value": row["answers"]} for row in kpis.contributors
        ],
        "flags": [{"name": name, "value": count} for name, count in kpis.flags_by_reason],
    }
