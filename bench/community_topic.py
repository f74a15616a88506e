"""A forum topic of 1,000 posts in a forum of 100,000 topics and 1,000,000 posts: the real topic
page against the obvious ORM page, its first paint in headless chromium, and forum search
against ``icontains``.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and filled
in bulk SQL (``INSERT … SELECT`` over a recursive series joined to 2,000 generated French
texts — questions and answers about social-protection topics, see ``bench.knowledge._texts``):
``--topics`` topics and ``--posts`` posts written by 1,000 members; the first topic holds
``--big`` posts (its question and ``--big``-1 answers), the others share the rest.

* **topic page**: the real view (``community:topic-detail``, through the Django test client,
  middleware and template included: 20 answers a page, authors' names in one query) against
  the obvious ORM page (every post of the topic, no pagination, the author then the author's
  profile fetched per post: N+1, rendered with a Django template). Pages 1 and last of the real
  view are timed alternately. Target: p95 ≥ 10× better.
* **first paint**: the real page served by a WSGI server in the worker, loaded in Debian's
  headless chromium through Playwright (``executable_path=/usr/bin/chromium``), fresh browser
  context each time; ``performance.getEntriesByType('paint')`` first-contentful-paint. Target:
  p95 < 1 s (Discourse: 3.3 s on mobile).
* **search**: ``selectors.topics_search`` (the forum's French full-text indexes over topic
  titles and questions, ``search.TOPIC_INDEX``, and over the replies' text,
  ``search.POST_INDEX``: FTS5 tables on SQLite, GIN on stored ``relais_french`` vectors on
  PostgreSQL — first 30) against ``icontains`` on every word over the posts' bodies (what a
  forum without an index does), first 30 topics. Target: p95 ≥ 20× better. Also printed:
  ``icontains`` over the same scope as the indexes (titles and questions first, then the
  visible replies' bodies while fewer than 30 topics were found, as the real search fills its
  page), over titles and questions only (the scope before replies were indexed on SQLite), and
  the replies' index alone (``search.search_replies``, 90 replies, every query).

``--posts`` and ``--topics`` scale the forum down on a small machine (the report says so);
``--only search`` skips the topic page and the first paint.
"""

import argparse
import html
import json
import math
import random
import sys
import threading
import time

from bench._engines import add_engine_arguments, bench_workspace, run_engines, worker_log

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_community_topic"
PAGE_TARGET = 10
SEARCH_TARGET = 20
PAINT_TARGET_MS = 1000
TEXTS = 2000
MEMBERS = 1000
SEARCH_LIMIT = 30
CHROMIUM = "/usr/bin/chromium"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.community_topic", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts (default 1000000)")
    parser.add_argument("--topics", type=int, default=100_000, help="topics (default 100000)")
    parser.add_argument("--big", type=int, default=1000, help="posts of the measured topic")
    parser.add_argument("--requests", type=int, default=20, help="page requests per method")
    parser.add_argument("--paints", type=int, default=10, help="browser loads for first paint")
    parser.add_argument("--queries", type=int, default=40, help="search queries per method")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--only", choices=("all", "search"), default="all", help="measure only the search"
    )
    add_engine_arguments(parser, POSTGRES_URL)
    args, _unknown = parser.parse_known_args(argv)
    if args.topics < 2 or args.posts < args.big + args.topics or args.big < 2:
        parser.error("--posts must be at least --big + --topics, --topics at least 2")
    if args.worker:
        print(json.dumps(_measure(args)), flush=True)
        return 0
    options = [
        *("--posts", str(args.posts), "--topics", str(args.topics), "--big", str(args.big)),
        *("--requests", str(args.requests), "--paints", str(args.paints)),
        *("--queries", str(args.queries), "--seed", str(args.seed), "--only", args.only),
    ]
    results = run_engines(parser, "community_topic", args, options)
    _report(results, args)
    return 0 if results else 1


def _report(results: list[dict], args) -> None:
    if not results:
        print("No engine could be measured.")
        return
    scaled = "" if args.posts >= 1_000_000 and args.topics >= 100_000 else " (SCALED DOWN)"
    print(
        f"\nCommunity topic page — {args.topics:,} topics, {args.posts:,} posts, "
        f"topic of {args.big:,} posts{scaled}"
    )
    header = f"{'engine':<11} {'measure':<52} {'p50':>10} {'p95':>10}"
    print(header)
    print("-" * len(header))

    def line(engine, label, stats, unit="ms"):
        print(
            f"{engine:<11} {label:<52} {stats['p50']:>8.1f}{unit:>2} {stats['p95']:>8.1f}{unit:>2}"
        )

    verdicts = []
    for r in results:
        e = r["engine"]
        verdict = f"{e}: "
        if "page_relais" in r:
            line(e, "relais topic page (20 a page, pages 1 and last)", r["page_relais"])
            line("", "obvious ORM page (all posts, N+1 on authors)", r["page_baseline"])
            page_ratio = r["page_baseline"]["p95"] / r["page_relais"]["p95"]
            print(f"{'':<11} {'ratio obvious / relais (p95)':<52} {page_ratio:>21.1f}×")
            if r.get("paint"):
                line("", "first contentful paint, headless chromium", r["paint"])
            else:
                print(f"{'':<11} first paint not measured: {r.get('paint_error', '?')}")
            paint = r.get("paint", {}).get("p95")
            verdict += (
                f"page {page_ratio:.0f}× ({'met' if page_ratio >= PAGE_TARGET else 'NOT met'}), "
                + (
                    f"first paint p95 {paint:.0f} ms "
                    f"({'met' if paint < PAINT_TARGET_MS else 'NOT met'}), "
                    if paint is not None
                    else "first paint not measured, "
                )
            )
            e = ""
        line(e, "relais forum search (titles, questions, replies; 30)", r["search_relais"])
        line("", "icontains over posts' bodies (first 30 topics)", r["search_baseline"])
        line("", "icontains titles, questions, replies (same scope)", r["search_scope"])
        line("", "icontains titles and questions only", r["search_topics_only"])
        line("", "relais replies' index alone (90 replies)", r["search_replies"])
        search_ratio = r["search_baseline"]["p95"] / r["search_relais"]["p95"]
        scope_ratio = r["search_scope"]["p95"] / r["search_relais"]["p95"]
        print(f"{'':<11} {'ratio icontains posts / relais (p95)':<52} {search_ratio:>21.1f}×")
        print(f"{'':<11} {'ratio icontains same scope / relais (p95)':<52} {scope_ratio:>21.1f}×")
        print(
            f"{'':<11} generation {r['generation_s']:.0f} s, index {r['index_s']:.0f} s; "
            f"queries answered: relais {r['answered']['relais']} "
            f"({r['answered']['by_reply']} with topics found by a reply), icontains posts "
            f"{r['answered']['baseline']}, same scope {r['answered']['scope']} of {r['queries']}; "
            f"load average {r.get('load_before', '?')} before, {r.get('load_after', '?')} after"
        )
        verdicts.append(
            verdict
            + f"search {search_ratio:.0f}× ({'met' if search_ratio >= SEARCH_TARGET else 'NOT met'})"
            + f", same scope {scope_ratio:.0f}×"
        )
    print(
        ("\n--only search: " if args.only == "search" else "\n")
        + f"targets: page p95 ≥ {PAGE_TARGET}×, first paint p95 < {PAINT_TARGET_MS} ms, "
        f"search p95 ≥ {SEARCH_TARGET}× — " + "; ".join(verdicts)
    )


# --- measurement (worker process) ----------------------------------------------------------


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def rank(p: float) -> float:  # nearest-rank percentile
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)]

    return {"p50": rank(0.50), "p95": rank(0.95)}


def _texts(seed: int) -> list[tuple[str, str, str]]:
    """(title, body, html) × 2,000: French questions and two-sentence answers."""
    from bench.knowledge import _texts as knowledge_texts

    rows = []
    for question, answer, _tags in knowledge_texts(TEXTS, seed):
        body = " ".join(answer.split(". ")[:2]).strip()[:400]
        rows.append((question[:190], body, f"<p>{html.escape(body)}</p>"))
    return rows


def _generate(args, community, category, log) -> dict:
    """Members, topics and posts in bulk SQL; returns the measured topic and counts."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from relais.community.models import MemberProfile, Topic
    from relais.core.accounts.models import User

    now = timezone.now()
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"membre-{n}", password=password, organization=community.organization)
            for n in range(MEMBERS)
        ],
        batch_size=500,
    )
    MemberProfile.objects.bulk_create(
        [
            MemberProfile(community=community, user=user, display_name=f"Membre {n}", trust_level=1)
            for n, user in enumerate(users)
        ],
        batch_size=500,
    )
    first_user = min(u.pk for u in users)
    texts = _texts(args.seed)
    pg = connection.vendor == "postgresql"
    uuid_sql = "gen_random_uuid()" if pg else "lower(hex(randomblob(16)))"
    others = args.topics - 1
    rest = args.posts - args.big  # posts of the other topics, questions included
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_text (n INTEGER PRIMARY KEY, title TEXT, body TEXT, html TEXT)"
        )
        cursor.executemany(
            "INSERT INTO bench_text (n, title, body, html) VALUES (%s, %s, %s, %s)",
            [(n, *row) for n, row in enumerate(texts)],
        )
        log(f"topics: {args.topics:,}…")
        cursor.execute(
            "INSERT INTO community_topic (public_id, community_id, category_id, author_id, title,"
            " slug, kind, state, excerpt, replies_count, official_count, views_count,"
            " last_activity_at, is_deleted, deleted_reason, is_held, created_at, updated_at) "
            "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < %s) "
            f"SELECT {uuid_sql}, %s, %s, %s + s.n %% {MEMBERS}, t.title, 'sujet-' || s.n,"
            " 'question', 'open', t.body, 0, 0, 0, %s, %s, '', %s, %s, %s "
            f"FROM s JOIN bench_text t ON t.n = s.n %% {TEXTS}",
            [args.topics, community.pk, category.pk, first_user, now, False, False, now, now],
        )
        big = Topic.objects.filter(community=community).order_by("id").first()
        first_topic = big.pk
        log(f"posts: {args.posts:,}…")
        post_columns = (
            "INSERT INTO community_post (public_id, topic_id, author_id, position, body, html,"
            " revisions_count, hidden, is_deleted, deleted_reason, likes_count, screen_action,"
            " screen_reasons, created_at, updated_at) "
        )
        # The measured topic: its question and big - 1 answers.
        cursor.execute(
            post_columns
            + "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < %s) "
            f"SELECT {uuid_sql}, %s, %s + (s.n * 7) %% {MEMBERS}, s.n, t.body, t.html, 1, '', %s,"
            " '', 0, '', '[]', %s, %s "
            f"FROM s JOIN bench_text t ON t.n = s.n %% {TEXTS}",
            [args.big, first_topic, first_user, False, now, now],
        )
        # The others: post n goes to topic 1 + n % others, at position n // others.
        done = 0
        chunk = 200_000
        while done < rest:
            size = min(chunk, rest - done)
            cursor.execute(
                post_columns
                + "WITH RECURSIVE s(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM s WHERE n + 1 < %s) "
                f"SELECT {uuid_sql}, %s + 1 + s.n %% %s, %s + (s.n * 13) %% {MEMBERS},"
                " s.n / %s, t.body, t.html, 1, '', %s, '', 0, '', '[]', %s, %s "
                f"FROM s JOIN bench_text t ON t.n = (s.n * 7) %% {TEXTS}",
                [done, done + size, first_topic, others, first_user, others, False, now, now],
            )
            done += size
            log(f"  {done + args.big:,} posts")
        cursor.execute(
            "UPDATE community_topic SET replies_count = CASE WHEN id = %s THEN %s ELSE %s END "
            "WHERE community_id = %s",
            [first_topic, args.big - 1, max(0, rest // others - 1), community.pk],
        )
        cursor.execute("DROP TABLE bench_text")
    big.refresh_from_db()
    return {"topic": big}


def _obvious_page(topic_pk: int) -> str:
    """What a first version would write: all posts, no pagination, authors fetched per post."""
    from django.template import Context

    from relais.community.models import MemberProfile, Topic

    topic = Topic.objects.get(pk=topic_pk)
    rows = []
    for post in topic.posts.all().order_by("position"):
        author = post.author  # one query per post
        profile = MemberProfile.objects.filter(community_id=topic.community_id, user=author).first()
        rows.append({"name": profile.display_name if profile else "", "html": post.html})
    return _OBVIOUS.render(Context({"topic": topic, "rows": rows}))


_OBVIOUS = None


def _measure(args) -> dict:
    import os

    import django

    os.environ.setdefault("RELAIS_PLAIN_STATIC", "1")  # static files served by the worker

    django.setup()
    global _OBVIOUS
    from django.conf import settings
    from django.db import connection
    from django.template import Template
    from django.test.utils import setup_test_environment

    from relais.community import selectors
    from relais.community.models import Category, Community, Post, Topic
    from relais.community.search import (
        TOPIC_INDEX,
        search_replies,
        setup_replies_index,
        teardown_replies_index,
    )

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    _OBVIOUS = Template(
        "<html><body><h1>{{ topic.title }}</h1>{% for row in rows %}<article><h2>{{ row.name }}"
        "</h2>{{ row.html|safe }}</article>{% endfor %}</body></html>"
    )
    engine = args.worker
    log = worker_log(engine)
    workspace, _user = bench_workspace(log)
    community = Community.objects.create(
        organization=workspace.organization, workspace=workspace, slug="banc", name="Banc"
    )
    category = Category.objects.create(
        community=community, slug="cotisations", name="Cotisations", read_access="public"
    )
    # SQLite's replies' index is kept by triggers; for the bulk load it is dropped and set up
    # again after, which indexes every post in one statement (timed as the index).
    with connection.schema_editor() as editor:
        teardown_replies_index(editor, vendor="sqlite")
    started = time.perf_counter()
    generated = _generate(args, community, category, log)
    generation_s = time.perf_counter() - started
    started = time.perf_counter()
    log("full-text indexes…")
    TOPIC_INDEX.rebuild(Topic.objects.all())
    with connection.schema_editor() as editor:
        setup_replies_index(editor, vendor="sqlite")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    index_s = time.perf_counter() - started
    topic = generated["topic"]
    log(f"generated in {generation_s:.0f} s, indexed in {index_s:.0f} s; measuring pages…")

    result = {
        "engine": engine,
        "posts": Post.objects.count(),
        "topics": Topic.objects.count(),
        "generation_s": generation_s,
        "index_s": index_s,
    }
    if args.only == "all":
        result.update(_measure_page(args, topic))

    log("search…")
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Q

    from bench.knowledge import _query_mix
    from relais.community.access import readable_categories_filter

    anonymous = AnonymousUser()
    queries = _query_mix(args.queries, args.seed)

    def relais(query):
        return selectors.topics_search(
            user=anonymous, community=community, query=query, limit=SEARCH_LIMIT
        )

    def baseline(query):
        condition = Q()
        for word in query.split():
            condition &= Q(body__icontains=word)
        topic_ids = (
            Post.objects.filter(topic__community=community, is_deleted=False)
            .filter(condition)
            .values_list("topic_id", flat=True)
            .distinct()[:SEARCH_LIMIT]
        )
        return list(Topic.objects.filter(pk__in=list(topic_ids)))

    visible_topics = Topic.objects.filter(community=community, is_deleted=False, is_held=False)

    def in_topics(query):
        condition = Q()
        for word in query.split():
            condition &= Q(title__icontains=word) | Q(excerpt__icontains=word)
        return list(visible_topics.filter(condition).values_list("pk", flat=True)[:SEARCH_LIMIT])

    def topics_only(query):
        return list(Topic.objects.filter(pk__in=in_topics(query)))

    def scope(query):
        # The same scope as the indexes, filled the same way: titles and questions first,
        # then topics whose visible replies hold every word.
        found = in_topics(query)
        if len(found) < SEARCH_LIMIT:
            condition = Q()
            for word in query.split():
                condition &= Q(body__icontains=word)
            found += list(
                Post.objects.filter(
                    topic__in=visible_topics, position__gt=0, is_deleted=False, hidden=""
                )
                .exclude(topic_id__in=found)
                .filter(condition)
                .values_list("topic_id", flat=True)
                .distinct()[: SEARCH_LIMIT - len(found)]
            )
        return list(Topic.objects.filter(pk__in=found))

    category_ids = list(
        community.categories.filter(readable_categories_filter(anonymous, community)).values_list(
            "id", flat=True
        )
    )

    def replies_alone(query):
        return search_replies(
            community_id=community.pk,
            category_ids=category_ids,
            query=query,
            limit=SEARCH_LIMIT * 3,
        )

    methods = (
        ("relais", relais),
        ("baseline", baseline),
        ("scope", scope),
        ("topics_only", topics_only),
        ("replies", replies_alone),
    )
    for query in queries[:3]:
        for _name, call in methods:
            call(query)
    times = {name: [] for name, _call in methods}
    found = {"relais": 0, "baseline": 0, "scope": 0, "by_reply": 0}
    for query in queries:
        for name, call in methods:
            started = time.perf_counter()
            rows = call(query)
            times[name].append((time.perf_counter() - started) * 1000)
            if name in found and rows:
                found[name] += 1
            if name == "relais" and any(hit.reply is not None for hit in rows):
                found["by_reply"] += 1
    result.update(
        {
            "load_before": load_before,
            "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "queries": len(queries),
            "search_relais": _percentiles(times["relais"]),
            "search_baseline": _percentiles(times["baseline"]),
            "search_scope": _percentiles(times["scope"]),
            "search_topics_only": _percentiles(times["topics_only"]),
            "search_replies": _percentiles(times["replies"]),
            "answered": found,
        }
    )
    return result


def _measure_page(args, topic) -> dict:
    """The real topic page against the obvious ORM page, and its first paint."""
    from django.test import Client

    from relais.community.seo import topic_path

    client = Client()
    path = topic_path(topic)
    last = math.ceil((args.big - 1) / 20)
    pages = [path, f"{path}?page={last}"]
    for url in pages:
        assert client.get(url).status_code == 200
    _obvious_page(topic.pk)
    relais_ms, baseline_ms = [], []
    for index in range(args.requests):
        started = time.perf_counter()
        response = client.get(pages[index % 2])
        relais_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        started = time.perf_counter()
        _obvious_page(topic.pk)
        baseline_ms.append((time.perf_counter() - started) * 1000)
    result = {
        "page_relais": _percentiles(relais_ms),
        "page_baseline": _percentiles(baseline_ms),
    }
    worker_log(args.worker)("first paint…")
    try:
        result["paint"] = _percentiles(_first_paints(path, args.paints))
    except Exception as error:  # noqa: BLE001 - reported, the other figures stand
        result["paint_error"] = str(error).splitlines()[0][:200]
    return result


def _first_paints(path: str, count: int) -> list[float]:
    """First contentful paint of ``path`` (ms), served by a WSGI server in this process."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application
    from playwright.sync_api import sync_playwright

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class Threaded(WSGIServer):
        daemon_threads = True

        def process_request(self, request, client_address):
            thread = threading.Thread(
                target=self._serve, args=(request, client_address), daemon=True
            )
            thread.start()

        def _serve(self, request, client_address):
            try:
                self.finish_request(request, client_address)
            finally:
                self.shutdown_request(request)
                from django.db import connections

                connections.close_all()

    server = make_server(
        "127.0.0.1",
        0,
        StaticFilesHandler(get_wsgi_application()),
        server_class=Threaded,
        handler_class=Quiet,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    paints = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            for index in range(count + 1):
                context = browser.new_context(locale="fr-FR")
                page = context.new_page()
                page.goto(url, wait_until="load")
                fcp = page.evaluate(
                    """() => new Promise(resolve => {
                        const find = () => performance.getEntriesByType('paint')
                            .find(e => e.name === 'first-contentful-paint');
                        const entry = find();
                        if (entry) { resolve(entry.startTime); return; }
                        new PerformanceObserver(list => {
                            const e = list.getEntries().find(x => x.name === 'first-contentful-paint');
                            if (e) resolve(e.startTime);
                        }).observe({type: 'paint', buffered: true});
                        setTimeout(() => resolve(-1), 5000);
                    })"""
                )
                context.close()
                if index and fcp >= 0:  # the first load warms the server
                    paints.append(fcp)
            browser.close()
    finally:
        server.shutdown()
    if not paints:
        raise RuntimeError("no first-contentful-paint entry")
    return paints


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
