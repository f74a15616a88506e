"""Run every benchmark module of this package: ``python -m bench [--only NAME] [options]``.

Options other than ``--only`` are passed to every benchmark (e.g. ``--customers 20000``).
"""

import argparse
import importlib
import pkgutil
import sys
import time

import bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this benchmark")
    args, rest = parser.parse_known_args(argv)
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    unknown = set(args.only or []) - set(names)
    if unknown:
        parser.error(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; available: {', '.join(names)}"
        )
    status = 0
    for name in names:
        if args.only and name not in args.only:
            continue
        started = time.monotonic()
        print(f"== bench.{name}", flush=True)
        status |= importlib.import_module(f"bench.{name}").main(rest) or 0
        print(f"== bench.{name} done in {time.monotonic() - started:.0f} s\n", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
