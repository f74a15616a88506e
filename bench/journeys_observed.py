"""Observed pages on a million-event log: the first view (mining on the columnar engine) against
the cached view (the JSON kept beside the log), same log, same run.

The log is the simulated year of ``relais.journeys.simulation`` scaled up (``--cases``, default
180,000 cases ≈ 1,000,000 events, segments and channels as in the demo), stored as the
canonical Parquet file a kept log has. For each view — the whole log, and one segment value
filtered (``branch``) — it times:

* **cold** (the baseline: what every page would cost without the cache): read the Parquet
  file and compute the summary (process graph, channel flows, durations, waiting per step,
  variants, failure demand) — ``observed_summary`` after ``observed_invalidate``;
* **cached**: the same call again, which reads the JSON written by the first.

It prints the seconds (best of ``--repeat``) and the ratio cold / cached. No database: the log
row is not saved (``observed_summary`` only reads its file). Usage::

    python -m bench.journeys_observed [--cases 180000] [--repeat 3]
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path


def _setup(media_root: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = media_root


def _best(function, repeat: int, before=None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=180_000)
    parser.add_argument("--repeat", type=int, default=3)
    args, _unknown = parser.parse_known_args(argv)  # `python -m bench` passes others' options
    with tempfile.TemporaryDirectory() as media_root:
        _setup(media_root)
        from relais.journeys.eventlogs import to_canonical
        from relais.journeys.models import EventLog
        from relais.journeys.observed import Filters, observed_invalidate, observed_summary
        from relais.journeys.simulation import SIMULATION_MAPPING, simulate_year

        start = time.perf_counter()
        frame = to_canonical(simulate_year(seed=2025, cases=args.cases), SIMULATION_MAPPING)
        print(
            f"simulated log: {frame.height:,} events, {args.cases:,} cases "
            f"({time.perf_counter() - start:.1f} s to generate)"
        )
        log = EventLog(public_id=uuid.uuid4(), name="bench")
        log.data_path = f"journeys/logs/bench/{log.public_id}.parquet"
        target = Path(media_root) / log.data_path
        target.parent.mkdir(parents=True)
        frame.write_parquet(target, compression="zstd")
        del frame

        views = {
            "whole log": Filters(),
            "one segment (branch = Photographie)": Filters(
                segment="branch", segment_value="Photographie"
            ),
        }
        print(f"{'view':40} {'cold (s)':>10} {'cached (s)':>11} {'cold / cached':>14}")
        for label, filters in views.items():
            cold = _best(
                lambda f=filters: observed_summary(log, f),
                args.repeat,
                before=lambda: observed_invalidate(log),
            )
            observed_summary(log, filters)
            cached = _best(lambda f=filters: observed_summary(log, f), args.repeat)
            print(f"{label:40} {cold:10.3f} {cached:11.4f} {cold / cached:13.0f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
