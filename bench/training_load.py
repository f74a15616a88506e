"""Load run: a training room of 100 learners on one machine, served as ``make demo`` serves.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and
prepared once by a setup process: a school template of ``--customers`` generated customers
(``relais.crm.demo.generate_customers``), a class on it, and ``--users`` learner accounts,
each with their own sandbox cloned from the template by
``relais.training.services.sandboxes.sandbox_create`` (plus one more learner for the
closed-loop run's lone baseline).

**The room** (default): the real ASGI server is started as ``make demo`` starts it (uvicorn,
``--workers`` = one per core), and real HTTP clients — one thread per learner, ``urllib`` with
a cookie jar — arrive during the first minute (``--login-window``, seeded arrival times spread
over it) and log in through the login form (CSRF token and cookie); each then works for
``--duration`` seconds (default 600: the issue's 10 minutes) with a think time of 3–10 s
(``--think``, seeded) before every request: search customers, open a card, edit a customer
(GET the form, POST it back changed), create a customer (GET the form, POST it), again.

In the same run and on the same database, the **previous set-up** — one uvicorn worker and
Django's default Argon2 parameters (m=100 MiB, t=2, p=8) — serves the same room first
(``--no-previous`` skips it); the report gives both and the ratio previous ÷ current.
Each set-up starts from every learner's password hashed with its own hasher.

The report gives, per set-up: errors (a status other than 2xx/3xx, a timeout, or the wrong
content: a form sent back with errors, a search that does not list the customer searched
for…), the actions' p50/p95/p99/max, the logins' p50/p95 in the first minute, and per action.
Targets (issue 8): zero errors, actions p95 < 100 ms and p99 < 300 ms, logins p95 < 3 s.

**The stress figure** (``--closed-loop``): every learner logs in at once, then runs
``--rounds`` rounds of the same actions with no think time; baseline = one learner alone on
the same server; ratio = p95 under load ÷ p95 alone.

Latencies are measured by the clients, which share the machine's cores with the server: they
include the client threads' own overhead, as a training room's browsers would not. Every
request goes to 127.0.0.1.
"""

import argparse
import html
import http.cookiejar
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from bench._engines import ROOT, run_in_postgres, worker_env

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_load"
TODAY = date(2025, 6, 15)
PASSWORD = "charge-apprenant-2025"  # noqa: S105 - bench accounts in a throw-away database
SAMPLES = 20  # customers per learner the client picks from
TIMEOUT = 300  # 100 logins at once queue behind each other (Argon2, one worker)
SOLO_ROUNDS = 10
ACTIONS = (
    "search",
    "open card",
    "edit form (GET)",
    "edit (POST)",
    "create form (GET)",
    "create (POST)",
)
LOGINS = ("login form (GET)", "login (POST)")
TARGETS = {"p95": 100.0, "p99": 300.0, "login_p95": 3000.0}
# The set-ups served in one run: the previous one (before issue 8) first, then `make demo`'s.
PREVIOUS = {
    "name": "previous: 1 worker, Django's Argon2 (m=100 MiB, p=8)",
    "settings": "bench._previous_settings",
    "workers": 1,
}
CURRENT = {
    "name": "make demo: {workers} workers, Argon2id m=19 MiB t=2 p=1",
    "settings": "relais.settings",
    "workers": None,  # --workers
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.training_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--users", "--learners", dest="learners", type=int, default=100, help="learners (100)"
    )
    parser.add_argument(
        "--duration", type=float, default=600, help="seconds of work after the login minute (600)"
    )
    parser.add_argument(
        "--login-window", type=float, default=60, help="seconds over which they log in (60)"
    )
    parser.add_argument(
        "--think", default="3,10", help="think time before each request, min,max seconds (3,10)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help=f"uvicorn workers of the current set-up (one per core: {os.cpu_count()})",
    )
    parser.add_argument(
        "--no-previous", action="store_true", help="skip the previous set-up (no ratio)"
    )
    parser.add_argument(
        "--closed-loop",
        action="store_true",
        help="the stress figure instead: all log in at once, then --rounds with no think time",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="closed loop: rounds of the 4 tasks (5)"
    )
    parser.add_argument(
        "--customers", type=int, default=600, help="customers of the school template (600)"
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed of the data and the clients")
    parser.add_argument(
        "--engines",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument(
        "--postgres-url", default=POSTGRES_URL, help=f"database to create and drop ({POSTGRES_URL})"
    )
    parser.add_argument("--setup-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--set-passwords", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    try:
        args.think = tuple(float(v) for v in args.think.split(","))
        assert len(args.think) == 2 and 0 <= args.think[0] <= args.think[1]
    except (ValueError, AssertionError):
        parser.error("--think takes min,max seconds, e.g. 3,10")
    if args.learners < 1 or args.rounds < 1 or args.customers < SAMPLES or args.workers < 1:
        parser.error(f"--users, --rounds and --workers ≥ 1, --customers ≥ {SAMPLES}")
    if args.duration <= 0 or args.login_window < 0:
        parser.error("--duration > 0 and --login-window ≥ 0")
    if args.setup_worker:
        print(json.dumps(_setup(args)), flush=True)
        return 0
    if args.set_passwords:
        _set_passwords()
        return 0

    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine == "sqlite":
            result = _run_sqlite(args)
        elif engine == "postgresql":
            result = _run_postgres(args)
        else:
            parser.error(f"unknown engine: {engine}")
        if result:
            results.append(result)
            _report(result, args)
    if not results:
        print("No engine could be measured.")
        return 1
    _summary(results, args)
    return 0  # like bench.search: a missed target is reported, not a crash of `make bench`


def _all_errors(phase: dict) -> int:
    logins = sum(phase["actions"].get(name, {}).get("errors", 0) for name in LOGINS)
    return phase["overall"]["errors"] + logins


# --- orchestration (parent process) --------------------------------------------------------


def _env(database_url: str, var_dir: Path, settings_module: str = "relais.settings") -> dict:
    return {
        **worker_env(
            database_url,
            var_dir,
            HUEY_IMMEDIATE="1",
            RELAIS_PLAIN_STATIC="1",  # no collectstatic needed: no page asset is fetched here
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONPATH=str(ROOT),  # bench._previous_settings, in uvicorn's worker processes too
        ),
        "DJANGO_SETTINGS_MODULE": settings_module,
    }


def _setups(args) -> list[dict]:
    current = {**CURRENT, "workers": args.workers}
    current["name"] = current["name"].format(workers=args.workers)
    return [current] if args.no_previous else [PREVIOUS, current]


def _run(engine: str, database_url: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="relais-load-") as tmp:
        env = _env(database_url, Path(tmp))
        (Path(tmp) / "static").mkdir()  # whitenoise warns when STATIC_ROOT is missing
        started = time.monotonic()
        command = [sys.executable, "-m", "bench.training_load", "--setup-worker"]
        command += ["--learners", str(args.learners), "--customers", str(args.customers)]
        command += ["--seed", str(args.seed)]
        completed = subprocess.run(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False
        )
        if completed.returncode != 0:
            raise SystemExit(f"bench.training_load: {engine} setup failed ({completed.returncode})")
        setup = json.loads(completed.stdout.strip().splitlines()[-1])
        setup["setup_s"] = time.monotonic() - started
        _log(
            f"{engine}: {setup['learners']} sandboxes of {args.customers} customers ready in "
            f"{setup['setup_s']:.0f} s ({setup['method']})"
        )
        runs = []
        for config in _setups(args):
            config_env = _env(database_url, Path(tmp), config["settings"])
            # Every learner's password hashed by this set-up's hasher, login failures cleared.
            subprocess.run(
                [sys.executable, "-m", "bench.training_load", "--set-passwords"],
                cwd=ROOT,
                env=config_env,
                check=True,
            )
            _log(f"{engine}: serving with {config['name']}…")
            with _server(config_env, config["workers"]) as base:
                rng = random.Random(args.seed)
                if args.closed_loop:
                    # A longer baseline: a handful of requests would give a p95 of noise.
                    solo = _phase(base, [setup["solo"]], max(args.rounds, SOLO_ROUNDS), rng)
                    load = _phase(base, setup["accounts"], args.rounds, rng)
                else:
                    solo = None
                    load = _room(base, setup["accounts"], args, rng)
            runs.append({"config": config, "solo": solo, "load": load})
    return {"engine": engine, "setup": setup, "runs": runs}


class _server:
    """uvicorn serving ``relais.asgi:application`` with ``workers`` processes, as `make demo`."""

    def __init__(self, env: dict, workers: int) -> None:
        self.env, self.workers = env, workers

    def __enter__(self) -> str:
        port = _free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "uvicorn"),
                "relais.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base, self.process)
        except BaseException:
            self.__exit__()
            raise
        return base

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _run_sqlite(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="relais-load-db-") as tmp:
        return _run("sqlite", f"sqlite:///{Path(tmp) / 'load.sqlite3'}", args)


def _run_postgres(args) -> dict | None:
    return run_in_postgres(args.postgres_url, lambda: _run("postgresql", args.postgres_url, args))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench.training_load: the server stopped (exit {server.returncode})")
        try:
            # The URL is our own server's http:// address, never a user-given scheme.
            with urllib.request.urlopen(f"{base}/comptes/connexion/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench.training_load: the server did not answer within 60 s")


# --- the simulated learners ------------------------------------------------------------------


class _Form(HTMLParser):
    """The fields of the page's main ``<form method=post>`` (the one with the most fields:
    not the logout button), as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self.errors = 0
        self.messages: list[str] = []
        self._feedback = False
        self._inside = False
        self._select: str | None = None
        self._textarea: str | None = None

    @property
    def fields(self) -> dict[str, str]:
        return max(self.forms, key=len) if self.forms else {}

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "is-invalid" in a.get("class", ""):
            self.errors += 1
            self.messages.append(f"invalid field {a.get('name') or a.get('id', '?')}")
        if "errorlist" in a.get("class", ""):
            self._feedback = True  # the next text is the error message
        if tag == "form" and a.get("method", "").lower() == "post":
            self._inside = True
            self.forms.append({})
        if not self._inside or ("name" not in a and tag != "option"):
            return
        fields = self.forms[-1]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            self.options[self._select] = []
            fields.setdefault(self._select, "")
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value", ""))
            if "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._inside = False

    def handle_data(self, data):
        if self._feedback and data.strip():
            self.messages.append(data.strip())
            self._feedback = False
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data


def _parse_form(body: str) -> _Form:
    form = _Form()
    form.feed(body)
    return form


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 302 is an answer to check, not to follow


class _TimeUp(Exception):
    """The room's time is over: the learner stops before the next request."""


class _Learner:
    def __init__(self, base: str, account: dict, rng: random.Random) -> None:
        self.base = base
        self.account = account
        self.rng = random.Random(rng.random())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.timings: list[tuple[str, float, str | None]] = []  # (action, seconds, error)
        # The room: a think time before every request after the login, until the deadline.
        self.think: tuple[float, float] | None = None
        self.deadline = math.inf

    def pace(self) -> None:
        if self.think is None:
            return
        pause = self.rng.uniform(*self.think)
        if time.monotonic() + pause >= self.deadline:
            raise _TimeUp
        time.sleep(pause)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - own server
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode(errors="replace")

    def timed(self, action: str, path: str, data: dict | None = None, check=None):
        if action not in LOGINS:
            self.pace()
        started = time.perf_counter()
        try:
            status, location, body = self.request(path, data)
        except OSError as exc:
            self.timings.append((action, time.perf_counter() - started, f"{type(exc).__name__}"))
            return None
        elapsed = time.perf_counter() - started
        error = None
        if not 200 <= status < 400:
            error = f"HTTP {status}"
        elif check is not None:
            error = check(status, location, body)
        self.timings.append((action, elapsed, error))
        return None if error else (status, location, body)

    def login(self) -> bool:
        path = "/comptes/connexion/"
        answer = self.timed("login form (GET)", path)
        if not answer:
            return False
        fields = _parse_form(answer[2]).fields
        fields.update(username=self.account["username"], password=PASSWORD)
        return bool(
            self.timed(
                "login (POST)",
                path,
                fields,
                lambda s, loc, b: None if s == 302 else "login refused",
            )
        )

    def round(self, number: int) -> None:
        sample = self.rng.choice(self.account["samples"])
        term, name, card = sample["term"], sample["name"], f"/crm/clients/{sample['id']}/"

        def lists_customer(status, location, body):
            return None if sample["id"] in body else "customer not found by the search"

        def shows_customer(status, location, body):
            return None if name.lower() in html.unescape(body).lower() else "wrong card"

        def redirected_to_card(status, location, body):
            if status == 302 and re.search(r"/crm/clients/[0-9a-f-]{36}/$", location):
                return None
            form = _parse_form(body)
            if status != 200:
                return "no redirect"
            return f"form sent back: {' / '.join(form.messages[:3]) or form.errors}"

        self.timed(
            "search", "/crm/clients/?" + urllib.parse.urlencode({"q": term}), None, lists_customer
        )
        self.timed("open card", card, None, shows_customer)
        answer = self.timed("edit form (GET)", f"{card}modifier/")
        if answer:
            form = _parse_form(answer[2])
            if "profession" in form.fields:
                form.fields["profession"] = f"Profession modifiée {number}"
            elif "trade_name" in form.fields:
                form.fields["trade_name"] = f"Enseigne modifiée {number}"
            self.timed("edit (POST)", f"{card}modifier/", form.fields, redirected_to_card)
        answer = self.timed("create form (GET)", "/crm/clients/nouveau/")
        if answer:
            form = _parse_form(answer[2])
            for name in ("civility", "source"):
                choices = [v for v in form.options.get(name, []) if v]
                if name in form.fields and not form.fields[name] and choices:
                    form.fields[name] = self.rng.choice(choices)
            form.fields.update(
                first_name="Camille",
                last_name=f"Charge{self.account['username'][-3:]}{number}",
            )
            self.timed("create (POST)", "/crm/clients/nouveau/", form.fields, redirected_to_card)


def _phase(base: str, accounts: list[dict], rounds: int, rng: random.Random) -> dict:
    learners = [_Learner(base, account, rng) for account in accounts]
    barrier = threading.Barrier(len(learners) + 1)
    window = {}

    def work(learner: _Learner) -> None:
        try:
            logged_in = learner.login()
        except Exception as exc:  # noqa: BLE001 - counted as an error; the others must go on
            learner.timings.append(("login (POST)", 0.0, f"{type(exc).__name__}"))
            logged_in = False
        finally:
            barrier.wait()  # everybody logged in: the work starts at once
        if logged_in:
            for number in range(1, rounds + 1):
                try:
                    learner.round(number)
                except Exception as exc:  # noqa: BLE001 - e.g. a page that cannot be parsed
                    learner.timings.append(("client error", 0.0, type(exc).__name__))

    threads = [threading.Thread(target=work, args=(learner,), daemon=True) for learner in learners]
    for thread in threads:
        thread.start()
    barrier.wait()
    window["start"] = time.perf_counter()
    for thread in threads:
        thread.join()
    window["end"] = time.perf_counter()
    timings = [t for learner in learners for t in learner.timings]
    return _summarise(timings, window["end"] - window["start"])


def _room(base: str, accounts: list[dict], args, rng: random.Random) -> dict:
    """The training room: arrivals spread over the login window, then think-time-paced work
    until ``login_window + duration`` seconds after the start."""
    learners = [_Learner(base, account, rng) for account in accounts]
    arrivals = [rng.uniform(0, args.login_window) for _ in learners]
    start = time.monotonic() + 0.5
    end = start + args.login_window + args.duration

    def work(learner: _Learner, arrival: float) -> None:
        time.sleep(max(0.0, start + arrival - time.monotonic()))
        try:
            logged_in = learner.login()
        except Exception as exc:  # noqa: BLE001 - counted as an error; the others must go on
            learner.timings.append(("login (POST)", 0.0, f"{type(exc).__name__}"))
            logged_in = False
        if not logged_in:
            return
        learner.think, learner.deadline = args.think, end
        number = 0
        while True:
            number += 1
            try:
                learner.round(number)
            except _TimeUp:
                return
            except Exception as exc:  # noqa: BLE001 - e.g. a page that cannot be parsed
                learner.timings.append(("client error", 0.0, type(exc).__name__))

    threads = [
        threading.Thread(target=work, args=(learner, arrival), daemon=True)
        for learner, arrival in zip(learners, arrivals, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings = [t for learner in learners for t in learner.timings]
    return _summarise(timings, time.monotonic() - start)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _stats(rows: list[tuple[str, float, str | None]], seconds: float | None = None) -> dict:
    times = [elapsed * 1000 for _action, elapsed, _error in rows]
    errors = [error for _action, _elapsed, error in rows if error]
    stats = {
        "count": len(rows),
        "errors": len(errors),
        "error_kinds": sorted({e for e in errors})[:5],
        "p50": _percentile(times, 0.5) if times else 0.0,
        "p95": _percentile(times, 0.95) if times else 0.0,
        "p99": _percentile(times, 0.99) if times else 0.0,
        "max": max(times) if times else 0.0,
    }
    if seconds:
        stats["throughput"] = len(rows) / seconds
    return stats


def _summarise(timings, seconds: float) -> dict:
    work = [t for t in timings if not t[0].startswith("login")]
    return {
        "seconds": seconds,
        "actions": {
            action: _stats([t for t in timings if t[0] == action])
            for action in (*ACTIONS, "client error", *LOGINS)
            if any(t[0] == action for t in timings)
        },
        "overall": _stats(work, seconds),
    }


def _row(*cells) -> str:
    return "{:<20} {:>6} {:>8} {:>8} {:>8} {:>9} {:>7} {:>12}".format(*cells)


def _stat_row(name: str, stats: dict, note: str = "") -> str:
    return _row(
        name,
        stats["count"],
        f"{stats['p50']:.1f}",
        f"{stats['p95']:.1f}",
        f"{stats['p99']:.1f}",
        f"{stats['max']:.1f}",
        stats["errors"],
        note,
    )


def _report(result: dict, args) -> None:
    setup = result["setup"]
    print()
    if args.closed_loop:
        print(
            f"Closed loop (stress) — {result['engine']}: {args.learners} learners log in at once, "
            f"then {args.rounds} round(s) each with no think time (search, open card, edit, "
            f"create), own sandbox of {args.customers} customers; baseline = 1 learner alone"
        )
    else:
        print(
            f"Training room — {result['engine']}: {args.learners} learners arriving over "
            f"{args.login_window:.0f} s, then {args.duration:.0f} s of work with "
            f"{args.think[0]:g}–{args.think[1]:g} s think time before each request (search, "
            f"open card, edit, create), own sandbox of {args.customers} customers each"
        )
    for run in result["runs"]:
        load, solo = run["load"], run["solo"]
        print(f"\n  {run['config']['name']}")
        header = _row("action", "count", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "")
        print(header)
        print("-" * len(header))
        for name in [*[a for a in (*ACTIONS, "client error") if a in load["actions"]]]:
            stats = load["actions"][name]
            alone = solo["actions"].get(name) if solo else None
            note = f"{stats['p95'] / alone['p95']:.1f}× alone" if alone and alone["p95"] else ""
            print(_stat_row(name, stats, note))
        note = ""
        if solo and solo["overall"]["p95"]:
            note = f"{load['overall']['p95'] / solo['overall']['p95']:.1f}× alone"
        print(_stat_row("all actions", load["overall"], note))
        for name in LOGINS:
            if name in load["actions"]:
                print(_stat_row(name, load["actions"][name], "(not in all)"))
        print(
            f"  throughput {load['overall']['throughput']:.1f} requests/s over "
            f"{load['seconds']:.0f} s"
            + (
                f"; alone: p50/p95 {solo['overall']['p50']:.1f}/{solo['overall']['p95']:.1f} ms"
                if solo
                else ""
            )
        )
        kinds = sorted({k for s in load["actions"].values() for k in s["error_kinds"]})
        if kinds:
            print("  errors seen: " + "; ".join(kinds))
    if len(result["runs"]) == 2:
        before, after = (run["load"] for run in result["runs"])
        print("\n  ratio previous ÷ make demo (higher is better):")
        for label, key, name in (
            ("actions p50", "p50", None),
            ("actions p95", "p95", None),
            ("actions p99", "p99", None),
            ("login p50", "p50", "login (POST)"),
            ("login p95", "p95", "login (POST)"),
        ):
            old = before["actions"].get(name, {}) if name else before["overall"]
            new = after["actions"].get(name, {}) if name else after["overall"]
            if old.get(key) and new.get(key):
                print(
                    f"    {label:<12} {old[key]:>9.1f} ms ÷ {new[key]:>8.1f} ms = "
                    f"{old[key] / new[key]:.1f}×"
                )
    print(
        f"  setup ({result['engine']}): {setup['learners']} sandboxes + 1 baseline sandbox of "
        f"{args.customers} customers in {setup['setup_s']:.0f} s — {setup['method']}"
    )


def _summary(results: list[dict], args) -> None:
    print()
    for result in results:
        load = result["runs"][-1]["load"]
        errors = _all_errors(load)
        checks = [f"{errors} error(s) ({'met' if not errors else 'NOT met'})"]
        if not args.closed_loop:
            login = load["actions"].get("login (POST)", {"p95": math.inf})
            for label, value, target in (
                ("actions p95", load["overall"]["p95"], TARGETS["p95"]),
                ("actions p99", load["overall"]["p99"], TARGETS["p99"]),
                ("login p95", login["p95"], TARGETS["login_p95"]),
            ):
                verdict = "met" if value < target else "NOT met"
                checks.append(f"{label} {value:.0f} ms < {target:.0f} ms ({verdict})")
        print(f"targets, {result['engine']} (make demo set-up): " + ", ".join(checks))


# --- setup (worker process) -------------------------------------------------------------------


def _setup(args) -> dict:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from relais.core.accounts.models import OrganizationMembership, User
    from relais.core.accounts.roles import Role
    from relais.core.organizations.models import Organization
    from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
    from relais.crm.demo import generate_customers
    from relais.crm.models import Customer

    organization = Organization.objects.create(
        name="Centre de formation (charge)", slug="bench-charge"
    )
    # One hash for every account: hashing 100 passwords with Argon2 would only slow the setup.
    password = make_password(PASSWORD)
    trainer = User.objects.create(
        username="formateur-charge",
        organization=organization,
        password=password,
    )
    OrganizationMembership.objects.create(
        user=trainer, organization=organization, role=Role.TRAINER
    )
    template = Workspace.objects.create(
        organization=organization, name="Base école (charge)", kind=WorkspaceKind.TEMPLATE
    )
    Membership.objects.create(workspace=template, user=trainer)
    anomalies: list[dict] = []
    options = dict(workspace=template, count=args.customers, seed=args.seed, today=TODAY)
    try:
        generate_customers(**options, owner=trainer, anomalies=anomalies)
    except TypeError:  # a generator without deliberate anomalies
        generate_customers(**options, owner=trainer)
    # Customers with a deliberate anomaly (a city that does not match its postcode…) cannot be
    # saved back unchanged: the form rightly refuses them. The clients edit the others.
    flawed = {record["identity_key"] for a in anomalies for record in a.get("records", [])}
    learners = [
        User.objects.create(
            username=f"apprenant-{number:03d}",
            first_name="Apprenant",
            last_name=f"{number:03d}",
            organization=organization,
            password=password,
        )
        for number in range(args.learners + 1)  # number 0 is the baseline's learner
    ]
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(user=learner, organization=organization, role=Role.LEARNER)
        for learner in learners
    )
    try:
        from relais.training.services.sandboxes import class_create, sandbox_create
    except ImportError:
        class_create = sandbox_create = None
    sandboxes = []
    if sandbox_create is not None:
        method = "class_create + sandbox_create (set-based clone of the template)"
        training_class = class_create(
            actor=trainer, organization=organization, name="Session de charge", template=template
        )
        for learner in learners:
            enrollment = sandbox_create(
                actor=trainer, training_class=training_class, learner=learner, today=TODAY
            )
            sandboxes.append(enrollment.sandbox)
    else:
        method = "generate_customers into one SANDBOX workspace per learner (no sandbox service)"
        for learner in learners:
            sandbox = Workspace.objects.create(
                organization=organization,
                name=f"Bac à sable {learner.username}",
                kind=WorkspaceKind.SANDBOX,
                template=template,
            )
            Membership.objects.create(workspace=sandbox, user=learner)
            generate_customers(
                workspace=sandbox, count=args.customers, seed=args.seed, today=TODAY, owner=learner
            )
            sandboxes.append(sandbox)

    rng = random.Random(args.seed)
    accounts = []
    for learner, sandbox in zip(learners, sandboxes, strict=True):
        customers = [
            customer
            for customer in Customer.objects.in_workspace(sandbox)
            .select_related("person", "company")
            .order_by("pk")
            if getattr(customer, "identity_key", None) not in flawed
        ]
        samples = []
        for customer in rng.sample(customers, min(SAMPLES, len(customers))):
            if customer.person_id:
                # First and last name: a common last name alone could fill more than a page.
                name = customer.person.last_name
                term = f"{customer.person.first_name} {name}".strip()
            else:
                name = term = customer.company.legal_name
            samples.append({"id": str(customer.public_id), "term": term, "name": name})
        accounts.append({"username": learner.username, "samples": samples})
    return {
        "method": method,
        "learners": args.learners,
        "solo": accounts[0],
        "accounts": accounts[1:],
    }


def _set_passwords() -> None:
    """Hash the learners' password with this process's hasher; forget login failures."""
    import django

    django.setup()
    from axes.models import AccessAttempt
    from django.contrib.auth.hashers import make_password

    from relais.core.accounts.models import User

    User.objects.filter(username__startswith="apprenant-").update(password=make_password(PASSWORD))
    AccessAttempt.objects.all().delete()


if __name__ == "__main__":
    sys.exit(main())
