"""Modelled vs observed: a designed journey set against what the event log shows.

Pure functions on plain data, no database and no mining engine: the caller passes

- ``designed``: the designed journey as ``bpmn.journey_data(journey)`` gives it (``{"phases":
  [{"name", "steps": [{"name", "activity", "duration_minutes", …}]}]}``), or directly the
  list of step dicts in chronological order; a step is matched to the log by its
  ``activity`` (its name when the activity is empty);
- ``activity_stats``: ``{activity: {"count": events, "cases": cases with it,
  "mean_seconds": mean duration, "rework_cases": cases where it occurs more than once}}``
  (any key may be missing: ``cases`` and ``rework_cases`` are then read from the variants);
- ``variants``: ``[{"activities": [...], "count": cases}]`` (the mining engine's format) or
  ``[(activities, count)]``.

``compare`` returns a dict: ``n_cases``; ``steps`` (each designed step with its observed
frequency, time and rework, and the share of cases that skipped it); ``undesigned`` (activities
observed but in no designed step); ``skipped`` (designed steps some cases went without, most
skipped first); ``variants`` (each variant with how it departs from the design) and
``deviating`` (the variants whose order differs from the designed order, most frequent first);
``conforming_share`` (share of cases that follow the design exactly).

The order differs when a case goes back to a designed step that comes earlier than one it has
already done; a step done again in place (A B B C) is rework, reported with the step, not a
change of order; undesigned activities are left out of the order and listed apart.
"""

from collections import Counter
from collections.abc import Iterable


def _designed_steps(designed) -> list[dict]:
    if isinstance(designed, dict):
        steps = []
        for phase in designed.get("phases", []):
            for step in phase.get("steps", []):
                steps.append({**step, "phase": phase.get("name", "")})
        return steps
    return [dict(step) for step in designed]


def _activity(step: dict) -> str:
    return (step.get("activity") or step.get("name") or "").strip()


def _variants(variants) -> list[tuple[tuple[str, ...], int]]:
    out = []
    for variant in variants or []:
        if isinstance(variant, dict):
            activities, count = variant.get("activities", []), variant.get("count", 0)
        else:
            activities, count = variant
        out.append((tuple(activities), int(count)))
    return out


def _share(part, whole) -> float | None:
    return (part / whole) if whole else None


def _order_breaks(sequence: Iterable[str], positions: dict[str, list[int]]) -> list[tuple]:
    """Where ``sequence`` goes back in the designed order: ``(activity, after)`` pairs.

    Each designed activity takes the earliest designed position not before the current one
    (an activity designed twice may occur twice); an activity that can only sit earlier than
    where the case already is breaks the order. Undesigned activities are ignored here.
    """
    breaks = []
    current, previous = -1, None
    for activity in sequence:
        places = positions.get(activity)
        if not places:
            continue
        following = [p for p in places if p >= current]
        if following:
            current = following[0]
        else:
            breaks.append((activity, previous))
            current = max(places)
        previous = activity
    return breaks


def compare(designed, activity_stats: dict, variants=None, *, n_cases: int | None = None) -> dict:
    """The designed journey set against the observed activities and variants (see module)."""
    steps = _designed_steps(designed)
    stats = activity_stats or {}
    variant_list = _variants(variants)
    if n_cases is None:
        n_cases = sum(count for _activities, count in variant_list)

    # Cases with each activity, and cases where it repeats, as the variants tell.
    cases_from_variants: Counter = Counter()
    rework_from_variants: Counter = Counter()
    for activities, count in variant_list:
        occurrences = Counter(activities)
        for activity, times in occurrences.items():
            cases_from_variants[activity] += count
            if times > 1:
                rework_from_variants[activity] += count

    designed_activities = [_activity(step) for step in steps]
    positions: dict[str, list[int]] = {}
    for index, activity in enumerate(designed_activities):
        positions.setdefault(activity, []).append(index)

    rows = []
    for index, step in enumerate(steps):
        activity = designed_activities[index]
        observed = stats.get(activity)
        seen = observed is not None or activity in cases_from_variants
        observed = observed or {}
        cases = observed.get("cases", cases_from_variants.get(activity, 0))
        rework = observed.get("rework_cases", rework_from_variants.get(activity, 0))
        mean = observed.get("mean_seconds")
        expected_minutes = step.get("duration_minutes")
        expected = expected_minutes * 60 if expected_minutes is not None else None
        rows.append(
            {
                "position": index + 1,
                "phase": step.get("phase", ""),
                "name": step.get("name", activity),
                "activity": activity,
                "observed": seen,
                "count": observed.get("count", 0),
                "cases": cases,
                "case_share": _share(cases, n_cases),
                "mean_seconds": mean,
                "expected_seconds": expected,
                "time_gap_seconds": (mean - expected)
                if mean is not None and expected is not None
                else None,
                "rework_cases": rework,
                "rework_share": _share(rework, cases),
                "skipped_cases": max(n_cases - cases, 0),
                "skipped_share": _share(max(n_cases - cases, 0), n_cases),
            }
        )

    designed_set = set(designed_activities)
    observed_activities = set(stats) | set(cases_from_variants)
    undesigned = sorted(
        (
            {
                "activity": activity,
                "count": stats.get(activity, {}).get("count", 0),
                "cases": stats.get(activity, {}).get("cases", cases_from_variants.get(activity, 0)),
                "case_share": _share(
                    stats.get(activity, {}).get("cases", cases_from_variants.get(activity, 0)),
                    n_cases,
                ),
                "mean_seconds": stats.get(activity, {}).get("mean_seconds"),
            }
            for activity in observed_activities - designed_set
        ),
        key=lambda row: (-row["cases"], -row["count"], row["activity"]),
    )
    skipped = sorted(
        (row for row in rows if row["skipped_cases"] > 0),
        key=lambda row: (-row["skipped_cases"], row["position"]),
    )

    variant_rows = []
    conforming = 0
    for activities, count in variant_list:
        breaks = _order_breaks(activities, positions)
        present = set(activities)
        extra = sorted(present - designed_set)
        missing = [a for a in dict.fromkeys(designed_activities) if a not in present]
        follows = not breaks and not extra and not missing
        if follows:
            conforming += count
        variant_rows.append(
            {
                "activities": list(activities),
                "count": count,
                "share": _share(count, n_cases),
                "order_differs": bool(breaks),
                "order_breaks": [
                    {"activity": activity, "after": after} for activity, after in breaks
                ],
                "undesigned": extra,
                "missing": missing,
                "follows_design": follows,
            }
        )
    deviating = sorted(
        (row for row in variant_rows if row["order_differs"]),
        key=lambda row: (-row["count"], row["activities"]),
    )
    return {
        "n_cases": n_cases,
        "steps": rows,
        "undesigned": undesigned,
        "skipped": skipped,
        "variants": variant_rows,
        "deviating": deviating,
        "conforming_share": _share(conforming, n_cases),
    }


def observed_from_mining(result: dict) -> tuple[dict, list, int | None]:
    """``(activity_stats, variants, n_cases)`` from the mining engine's JSON result
    (``mine_journeys -o OUT.json``: ``activity_counts``, ``dfg``, ``performance_dfg``,
    ``variants``, ``rework_cases_per_activity``, ``n_cases``).

    An activity's ``mean_seconds`` is the mean time taken to reach it: the mean of the
    performance of the directly-follows edges into it, weighted by their frequencies (none for
    an activity only ever first). ``cases`` is read from the variants by ``compare``.
    Raises ``ValueError`` (French) when the document is not such a result.
    """
    if not isinstance(result, dict) or not isinstance(result.get("activity_counts"), dict):
        raise ValueError("Ce fichier n'est pas un résultat d'analyse : « activity_counts » manque.")
    variants = result.get("variants") or []
    if not isinstance(variants, list) or not all(
        isinstance(v, dict) and isinstance(v.get("activities"), list) for v in variants
    ):
        raise ValueError("La liste « variants » est mal formée.")
    rework = result.get("rework_cases_per_activity") or {}
    dfg = result.get("dfg") or {}
    performance = result.get("performance_dfg") or {}
    totals: dict[str, list[float]] = {}
    for edge, stats in performance.items():
        if " -> " not in edge or not isinstance(stats, dict) or stats.get("mean") is None:
            continue
        target = edge.split(" -> ", 1)[1]
        count = dfg.get(edge, 1)
        entry = totals.setdefault(target, [0.0, 0])
        entry[0] += float(stats["mean"]) * count
        entry[1] += count
    activity_stats = {}
    for activity, count in result["activity_counts"].items():
        stats = {"count": int(count), "rework_cases": int(rework.get(activity, 0))}
        if activity in totals and totals[activity][1]:
            stats["mean_seconds"] = totals[activity][0] / totals[activity][1]
        activity_stats[activity] = stats
    n_cases = result.get("n_cases")
    return activity_stats, variants, int(n_cases) if n_cases is not None else None
