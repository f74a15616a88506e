"""Failure demand: contacts the public would not have made had something gone right first.

After John Seddon: *value demand* is what the organisation exists for (a first question, a
declaration); *failure demand* is caused by a failure to do something or to do it right —
chasing a file that waits, calling again about the same thing, an error to correct, a letter
nobody understood. This pure module (Polars; no Django model):

* classifies each contact with **editable rules** (``DemandRule``: keywords in the reason, the
  contact's activity, a repeat within N days, a case step that waits), first match wins, a
  manual classification (low-data sample) taking precedence;
* measures contacts per resolved case, repeat contacts within N days, chasing contacts while
  a step waits, and value vs failure shares per step, channel and segment (``analyse``);
* extrapolates a sample of contacts recorded for a few weeks to the year with the yearly
  channel volumes, every line of the arithmetic kept for display (``extrapolate``, in
  ``relais.journeys.failure_sample``).

A log mixes **contacts** (a person reaching the organisation: a call, an e-mail…) and **process
steps** (file received, examined, decision). A contact belongs to the step its case was in: the
last step before it (``BEFORE_FIRST_STEP`` when none yet).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import polars as pl

from relais.core.text import fold_words
from relais.journeys.failure_sample import (  # the low-data mode, importable from here too
    FAILURE,
    NO_CHANNEL,
    ExtrapolatedLine,
    Extrapolation,
    extrapolate,
    wilson,
)
from relais.journeys.segment_features import parse_instants

VALUE = "valeur"
VALUE_RULE = "valeur"
CHASING = "relance"  # the rule name counted as chasing (several rules may carry it)
BEFORE_FIRST_STEP = "(avant la première étape)"
NO_SEGMENT = "(sans segment)"


@dataclass(frozen=True)
class DemandRule:
    """A kind of contact. It matches when **any** of its criteria does (``match="any"``) or
    all of them (``match="all"``):

    * ``keywords``: a word or phrase of the reason, compared without case or accents
      (« toujours pas » matches « Toujours PAS reçu ») — a word starts a word of the text;
    * ``activities``: the contact's activity is one of these;
    * ``repeat_within_days``: a previous contact of the same person (or case) came less than
      that many days before;
    * ``while_waiting``: the case's current step is one where the organisation has the ball
      (``waiting_steps`` of ``analyse``), entered at least ``min_wait_days`` before.
    """

    name: str
    label: str
    demand: str = FAILURE
    keywords: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    repeat_within_days: float | None = None
    while_waiting: bool = False
    min_wait_days: float = 0.0
    match: str = "any"

    def __post_init__(self):
        if self.demand not in (VALUE, FAILURE):
            raise ValueError(f"règle « {self.name} » : demande « {VALUE} » ou « {FAILURE} ».")
        if self.match not in ("any", "all"):
            raise ValueError(f"règle « {self.name} » : match « any » ou « all ».")
        if not (self.keywords or self.activities or self.repeat_within_days or self.while_waiting):
            raise ValueError(f"règle « {self.name} » : aucun critère.")

    @classmethod
    def from_dict(cls, data: dict) -> DemandRule:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"champ inconnu dans une règle : {', '.join(sorted(unknown))}.")
        values = dict(data)
        for key in ("keywords", "activities"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["keywords"], data["activities"] = list(self.keywords), list(self.activities)
        return data


def default_rules(repeat_days: float = 7) -> list[DemandRule]:
    """The starting rules; an analyst edits them (``rules_to_json`` / ``rules_from_json``)."""
    return [
        DemandRule(
            CHASING,
            "Relance (dite par la personne)",
            keywords=(
                "relance",
                "relancer",
                "toujours pas",
                "toujours en attente",
                "pas de nouvelles",
                "sans reponse",
                "sans nouvelles",
                "ou en est",
                "j attends",
                "pas encore recu",
                "pas recu",
                "deja envoye",
                "deja appele",
            ),
        ),
        DemandRule(
            "erreur",
            "Erreur à corriger",
            keywords=(
                "erreur",
                "errone",
                "incorrect",
                "se sont trompes",
                "rectifier",
                "rectification",
                "corriger",
                "pas le bon",
                "mauvais montant",
                "en double",
                "preleve deux fois",
            ),
        ),
        DemandRule(
            "courrier_incompris",
            "Courrier incompris",
            keywords=(
                "pas compris",
                "ne comprends pas",
                "incomprehensible",
                "que signifie",
                "que veut dire",
                "expliquer le courrier",
                "explication du courrier",
                "pas clair",
            ),
        ),
        # Any other contact while the organisation has the ball is chasing too (Seddon's
        # « progress chasing »), after the explicit reasons above have had their chance.
        DemandRule(CHASING, "Relance (le dossier attend)", while_waiting=True),
        DemandRule(
            "repetition",
            f"Nouveau contact en moins de {repeat_days:g} jours",
            repeat_within_days=repeat_days,
        ),
    ]


def rules_to_json(rules: list[DemandRule]) -> str:
    return json.dumps([rule.to_dict() for rule in rules], ensure_ascii=False, indent=2)


def rules_from_json(text: str) -> list[DemandRule]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSON illisible ligne {exc.lineno} : {exc.msg}.") from None
    if not isinstance(data, list):
        raise ValueError("les règles sont une liste d'objets.")
    return [DemandRule.from_dict(item) for item in data]


# --------------------------------------------------------------------------------------------
# Classification and measures


@dataclass(frozen=True)
class Columns:
    """Column names of the log; ``None`` when the log does not have it."""

    case: str
    timestamp: str
    activity: str | None = None
    channel: str | None = None
    text: str | None = None
    person: str | None = None
    segment: str | None = None
    manual: str | None = None  # a person's own classification: "valeur", "relance", "erreur"…


@dataclass
class FailureDemandReport:
    contacts: pl.DataFrame  # one row per contact: step, rule, demand, repeat, waiting flags
    n_contacts: int
    n_value: int
    n_failure: int
    resolved_cases: int
    contacts_in_resolved_cases: int
    repeat_days: float
    repeat_contacts: int
    chasing_contacts: int  # classified by a chasing rule (name ``CHASING``)
    contacts_while_waiting: int
    by_rule: pl.DataFrame
    by_step: pl.DataFrame
    by_channel: pl.DataFrame
    by_segment: pl.DataFrame | None = None

    @property
    def failure_share(self) -> float:
        return self.n_failure / self.n_contacts if self.n_contacts else 0.0

    @property
    def contacts_per_resolved_case(self) -> float | None:
        if not self.resolved_cases:
            return None
        return self.contacts_in_resolved_cases / self.resolved_cases

    @property
    def failure_per_value(self) -> float | None:
        """Seddon's ratio: avoidable contacts for every valuable one."""
        return self.n_failure / self.n_value if self.n_value else None


def analyse(
    log: pl.DataFrame,
    columns: Columns,
    *,
    rules: list[DemandRule] | None = None,
    contact_activities: list[str] | None = None,
    waiting_steps: list[str] | None = None,
    resolution_activities: list[str] | None = None,
    repeat_days: float = 7,
) -> FailureDemandReport:
    """Classify every contact of ``log`` and measure failure demand.

    Contacts are the events whose activity is in ``contact_activities``; without that list,
    the events with a channel (every event when the log has no channel column). Other events
    are process steps. A case is resolved when it has an activity of
    ``resolution_activities`` (without that list, every case counts as resolved).
    """
    rules = default_rules(repeat_days) if rules is None else rules
    frame = _prepared(log, columns, contact_activities)
    frame = _with_steps(frame, waiting_steps)
    contacts = frame.filter(pl.col("__contact")).drop("__contact")
    contacts = _with_repeat_gap(contacts, columns)
    contacts = contacts.with_columns(
        (pl.col("__gap_days") < repeat_days).fill_null(False).alias("repeat")
    )
    classified = _classify(contacts, columns, rules)

    resolved = _resolved_cases(frame, resolution_activities)
    in_resolved = classified.filter(pl.col("__case_no").is_in(resolved.implode())).height
    failure = pl.col("demand") == FAILURE
    n_failure = classified.filter(failure).height
    return FailureDemandReport(
        contacts=classified.select(
            "case",
            "timestamp",
            "channel",
            "step",
            "segment",
            "rule",
            "demand",
            "repeat",
            "waiting",
            "waited_days",
        ),
        n_contacts=classified.height,
        n_value=classified.height - n_failure,
        n_failure=n_failure,
        resolved_cases=len(resolved),
        contacts_in_resolved_cases=in_resolved,
        repeat_days=repeat_days,
        repeat_contacts=int(classified.get_column("repeat").sum()),
        chasing_contacts=classified.filter(pl.col("rule") == CHASING).height,
        contacts_while_waiting=int(classified.get_column("waiting").sum()),
        by_rule=classified.group_by("rule", "demand")
        .len("contacts")
        .sort(["contacts", "rule"], descending=[True, False]),
        by_step=_breakdown(classified, "step"),
        by_channel=_breakdown(classified, "channel"),
        by_segment=_breakdown(classified, "segment") if columns.segment else None,
    )


def attach_segments(
    log: pl.DataFrame, assignments: pl.DataFrame, *, person: str, name: str = "segment"
) -> pl.DataFrame:
    """``log`` with the segment of each event's person (``assignments``: ``id,segment``, as
    written by ``segment_publics``), in a column ``name``; persons without one get
    ``NO_SEGMENT``."""
    if person not in log.columns:
        raise ValueError(f"colonne « {person} » absente du journal.")
    table = assignments.select(
        pl.col("id").cast(pl.String).alias("__person"), pl.col("segment").alias(name)
    ).unique("__person", keep="first")
    return (
        log.with_columns(pl.col(person).cast(pl.String).alias("__person"))
        .join(table, on="__person", how="left", maintain_order="left")
        .with_columns(pl.col(name).fill_null(NO_SEGMENT))
        .drop("__person")
    )


def _prepared(log: pl.DataFrame, columns: Columns, contact_activities) -> pl.DataFrame:
    missing = [
        c for c in (columns.case, columns.timestamp) if c is None or c not in log.columns
    ] + [
        c
        for c in (columns.activity, columns.channel, columns.text, columns.person, columns.segment)
        if c is not None and c not in log.columns
    ]
    if missing:
        raise ValueError(f"colonne « {missing[0]} » absente du journal.")
    try:
        timestamp = parse_instants(log.get_column(columns.timestamp))
    except ValueError:
        timestamp = pl.Series([None] * log.height, dtype=pl.Datetime("us"))
    timestamp = timestamp.dt.replace_time_zone("UTC")
    if timestamp.null_count():
        line = int(timestamp.is_null().arg_true()[0]) + 2
        raise ValueError(f"date illisible ligne {line} (colonne « {columns.timestamp} »).")

    def text_of(name, default=None):
        if name is None:
            return pl.lit(default, dtype=pl.String)
        return pl.col(name).cast(pl.String)

    frame = log.with_row_index("__position").select(
        "__position",
        text_of(columns.case).alias("case"),
        timestamp.alias("timestamp"),
        text_of(columns.activity, "").fill_null("").alias("activity"),
        text_of(columns.channel).alias("channel"),
        text_of(columns.text, "").fill_null("").alias("text"),
        text_of(columns.person).alias("person"),
        text_of(columns.segment, NO_SEGMENT).fill_null(NO_SEGMENT).alias("segment"),
        text_of(columns.manual).alias("manual"),
    )
    if contact_activities is not None:
        wanted = {fold_words(a) for a in contact_activities}
        is_contact = _folded(frame, "activity").is_in(list(wanted))
    elif columns.channel is not None:
        is_contact = pl.col("channel").is_not_null() & (pl.col("channel") != "")
    else:
        is_contact = pl.lit(True)
    # Order by (case as text, timestamp, position) sorting integers only: the case's rank
    # among the distinct ids sorted as text, not the text itself (seconds at a million rows).
    frame = frame.with_columns(
        pl.col("case").rank("dense").alias("__case_no"),
        is_contact.alias("__contact"),
        pl.col("channel").fill_null(NO_CHANNEL),
    )
    order = frame.select(pl.arg_sort_by("__case_no", "timestamp", "__position")).to_series()
    frame = frame[order]
    return frame.with_columns(
        (pl.col("__case_no") != pl.col("__case_no").shift(1)).fill_null(True).alias("__first")
    )


def _folded(frame: pl.DataFrame, column: str) -> pl.Expr:
    values = frame.get_column(column).drop_nulls().unique().to_list()
    return pl.col(column).replace_strict({v: fold_words(v) for v in values}, default="")


def _with_steps(frame: pl.DataFrame, waiting_steps) -> pl.DataFrame:
    """The current step of every event (the last step before it) and since when. ``frame``
    is in case order: the last step is found by carrying forward the row number of the last
    step or case start (integers, no grouping on the text ids)."""
    waiting = {fold_words(s) for s in waiting_steps or ()}
    row = pl.int_range(pl.len(), dtype=pl.UInt32)
    frame = frame.with_columns(
        pl.when(~pl.col("__contact") | pl.col("__first")).then(row).forward_fill().alias("__at")
    )
    # The anchor is a step, or the case's first event when it is a contact (no step yet).
    has_step = ~pl.col("__contact").gather(pl.col("__at"))
    frame = frame.with_columns(
        pl.when(has_step)
        .then(pl.col("activity").gather(pl.col("__at")))
        .otherwise(pl.lit(BEFORE_FIRST_STEP))
        .alias("step"),
        pl.when(has_step).then(pl.col("timestamp").gather(pl.col("__at"))).alias("__step_since"),
    ).drop("__at")
    waited = (pl.col("timestamp") - pl.col("__step_since")).dt.total_seconds() / 86_400
    return frame.with_columns(
        _folded(frame, "step").is_in(list(waiting)).alias("__waiting_step"),
        waited.alias("waited_days"),
    )


def _with_repeat_gap(contacts: pl.DataFrame, columns: Columns) -> pl.DataFrame:
    """Days since the previous contact of the same person (of the same case without persons).
    ``contacts`` is in case order, which is already the order per case; per person, the
    integer codes of the persons are sorted and the gaps put back in case order."""
    if not columns.person:
        same = pl.col("__case_no") == pl.col("__case_no").shift(1)
        gap = pl.when(same).then(pl.col("timestamp") - pl.col("timestamp").shift(1))
        return contacts.with_columns((gap.dt.total_seconds() / 86_400).alias("__gap_days"))
    who = (
        pl.when(pl.col("person").is_not_null())
        .then("p:" + pl.col("person"))
        .otherwise("c:" + pl.col("case"))
    )
    keyed = contacts.select(
        who.cast(pl.Categorical).to_physical().alias("__who"), "timestamp", "__position"
    )
    order = keyed.select(pl.arg_sort_by("__who", "timestamp", "__position")).to_series()
    ordered = keyed[order]
    same = pl.col("__who") == pl.col("__who").shift(1)
    gaps = ordered.select(
        (pl.when(same).then(pl.col("timestamp") - pl.col("timestamp").shift(1))).dt.total_seconds()
        / 86_400
    ).to_series()
    back = pl.Series("__gap_days", [None] * contacts.height, dtype=pl.Float64)
    return contacts.with_columns(back.scatter(order, gaps))


def _keyword_texts(keywords, texts: pl.DataFrame) -> pl.Series | None:
    """The distinct raw texts (of ``texts``: ``text``, ``__folded``) that match one of the
    ``keywords``: a phrase matches from the start of a word of the folded text. Matching is
    done once per distinct text, not once per contact."""
    phrases = [fold_words(k) for k in keywords if fold_words(k)]
    if not phrases:
        return None
    padded = pl.lit(" ") + pl.col("__folded")
    matched = pl.any_horizontal([padded.str.contains(" " + p, literal=True) for p in phrases])
    return texts.filter(matched).get_column("text")


def _rule_expr(rule: DemandRule, texts: pl.DataFrame) -> pl.Expr:
    criteria = []
    keywords = _keyword_texts(rule.keywords, texts)
    if keywords is not None:
        criteria.append(pl.col("text").is_in(keywords.implode()))
    if rule.activities:
        criteria.append(pl.col("__activity").is_in([fold_words(a) for a in rule.activities]))
    if rule.repeat_within_days:
        criteria.append((pl.col("__gap_days") < rule.repeat_within_days).fill_null(False))
    if rule.while_waiting:
        criteria.append(
            pl.col("__waiting_step")
            & (pl.col("waited_days") >= rule.min_wait_days).fill_null(False)
        )
    combine = pl.all_horizontal if rule.match == "all" else pl.any_horizontal
    return combine(criteria)


def _classify(contacts: pl.DataFrame, columns: Columns, rules) -> pl.DataFrame:
    distinct = contacts.get_column("text").unique().drop_nulls().to_list()
    texts = pl.DataFrame(
        {"text": distinct, "__folded": [fold_words(t) for t in distinct]},
        schema={"text": pl.String, "__folded": pl.String},
    )
    frame = contacts.with_columns(_folded(contacts, "activity").alias("__activity"))
    rule_name = None
    for rule in rules:
        condition = _rule_expr(rule, texts)
        rule_name = (pl.when(condition) if rule_name is None else rule_name.when(condition)).then(
            pl.lit(rule.name)
        )
    automatic = pl.lit(VALUE_RULE) if rule_name is None else rule_name.otherwise(pl.lit(VALUE_RULE))
    demand_of = {rule.name: rule.demand for rule in rules} | {VALUE_RULE: VALUE}
    frame = frame.with_columns(automatic.alias("rule"))
    if columns.manual:
        manual = _manual_rules(frame, demand_of)
        frame = frame.with_columns(
            pl.when(manual.is_not_null()).then(manual).otherwise(pl.col("rule")).alias("rule")
        )
        demand_of |= {
            name: FAILURE
            for name in frame.get_column("rule").unique().to_list()
            if name not in demand_of
        }
    return frame.with_columns(
        pl.col("rule").replace_strict(demand_of, return_dtype=pl.String).alias("demand"),
        (pl.col("__waiting_step") & (pl.col("waited_days") > 0).fill_null(False)).alias("waiting"),
    )


_MANUAL_VALUE = {"valeur", "value", "v"}
_MANUAL_FAILURE = {"echec", "failure", "f", "evitable"}


def _manual_rules(frame: pl.DataFrame, demand_of: dict) -> pl.Expr:
    """A recorded classification as a rule name: « valeur », a rule's name or label, or any
    other word of failure (kept as it is, counted as failure)."""
    by_word = {VALUE_RULE: VALUE_RULE}
    for name in demand_of:
        by_word[fold_words(name)] = name
    mapping = {}
    for raw in frame.get_column("manual").drop_nulls().unique().to_list():
        word = fold_words(raw)
        if not word:
            continue
        if word in _MANUAL_VALUE:
            mapping[raw] = VALUE_RULE
        elif word in _MANUAL_FAILURE:
            mapping[raw] = "echec_non_precise"
        else:
            mapping[raw] = by_word.get(word, word.replace(" ", "_"))
    return pl.col("manual").replace_strict(mapping, default=None, return_dtype=pl.String)


def _resolved_cases(frame: pl.DataFrame, resolution_activities) -> pl.Series:
    """The resolved cases' integer codes (``__case_no``)."""
    if resolution_activities is None:
        return frame.get_column("__case_no").unique()
    wanted = [fold_words(a) for a in resolution_activities]
    resolved = frame.filter(_folded(frame, "activity").is_in(wanted))
    return resolved.get_column("__case_no").unique()


def _breakdown(contacts: pl.DataFrame, key: str) -> pl.DataFrame:
    return (
        contacts.group_by(key)
        .agg(
            pl.len().alias("contacts"),
            (pl.col("demand") == VALUE).sum().alias("value"),
            (pl.col("demand") == FAILURE).sum().alias("failure"),
            (pl.col("rule") == CHASING).sum().alias("chasing"),
            pl.col("repeat").sum().alias("repeat"),
            pl.col("waiting").sum().alias("while_waiting"),
        )
        .with_columns((pl.col("failure") / pl.col("contacts")).alias("failure_share"))
        .sort(["contacts", key], descending=[True, False])
    )


__all__ = [
    "BEFORE_FIRST_STEP",
    "CHASING",
    "FAILURE",
    "VALUE",
    "Columns",
    "DemandRule",
    "ExtrapolatedLine",
    "Extrapolation",
    "FailureDemandReport",
    "analyse",
    "attach_segments",
    "default_rules",
    "extrapolate",
    "rules_from_json",
    "rules_to_json",
    "wilson",
]
