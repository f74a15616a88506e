"""Knowledge-base search at 100,000 entries: Relais's French full-text index against ``icontains``.

For each engine (SQLite, and PostgreSQL when reachable) a fresh database is migrated and filled
with generated entries: questions and answers in French, drawn deterministically (seeded), each
about one to three of 70 social-protection topics named in several inflections, with accents,
amid French prose vocabulary, with Zipf-like frequencies (see ``_texts``). A seeded mix of queries (one to three words, some plural,
some typed without accents or in capitals) is then run, interleaved:

* **relais**: ``relais.core.knowledge.selectors.entries_search`` — validated entries of the
  organization, ranked (FTS5 ``bm25`` / ``ts_rank_cd`` over the ``relais_french`` GIN index),
  first 20, with their snippet;
* **baseline**: what a plain Django list would do — every word ``icontains`` the question or
  the answer, validated entries of the organization, newest first, first 20.

The report gives p50 and p95 latencies, their ratio (target ≥ 10× at p95), and how many queries
each method answered with at least one entry (``icontains`` meets neither accents typed
differently nor inflections).
"""

import argparse
import json
import math
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

POSTGRES_URL = "postgres://postgres@localhost:5432/relais_bench_knowledge"
TARGET_RATIO = 10
LIMIT = 20
RELAIS_LABEL = "relais (entries_search, full-text index)"
BASELINE_LABEL = "baseline (icontains question|answer)"

# Topic words, each with the forms people write and search (singular, plural, feminine…).
TOPICS = [
    ("allocation", "allocations"),
    ("familiale", "familiales", "familial", "familiaux"),
    ("prestation", "prestations"),
    ("sécurité", "securite"),
    ("sociale", "sociales", "social", "sociaux"),
    ("retraite", "retraites", "retraité", "retraités"),
    ("cotisation", "cotisations"),
    ("employeur", "employeurs"),
    ("salarié", "salariés", "salariée"),
    ("déclaration", "déclarations", "déclarer"),
    ("indemnité", "indemnités"),
    ("journalière", "journalières"),
    ("arrêt", "arrêts"),
    ("maladie", "maladies"),
    ("accident", "accidents"),
    ("travail", "travaux"),
    ("remboursement", "remboursements", "rembourser"),
    ("médecin", "médecins"),
    ("ordonnance", "ordonnances"),
    ("carte", "cartes"),
    ("vitale",),
    ("logement", "logements"),
    ("aide", "aides"),
    ("personnalisée", "personnalisé"),
    ("loyer", "loyers"),
    ("enfant", "enfants"),
    ("naissance", "naissances"),
    ("congé", "congés"),
    ("maternité",),
    ("paternité",),
    ("chômage",),
    ("demandeur", "demandeurs"),
    ("emploi", "emplois"),
    ("formation", "formations"),
    ("handicap", "handicapé", "handicapée"),
    ("invalidité",),
    ("pension", "pensions"),
    ("réversion",),
    ("contrat", "contrats"),
    ("embauche", "embauches"),
    ("urssaf",),
    ("caf",),
    ("cpam",),
    ("carsat",),
    ("mutuelle", "mutuelles"),
    ("complémentaire", "complémentaires"),
    ("santé",),
    ("revenu", "revenus"),
    ("ressources",),
    ("plafond", "plafonds"),
    ("montant", "montants"),
    ("délai", "délais"),
    ("versement", "versements"),
    ("paiement", "paiements"),
    ("justificatif", "justificatifs"),
    ("attestation", "attestations"),
    ("dossier", "dossiers"),
    ("demande", "demandes"),
    ("résiliation",),
    ("artiste", "artistes"),
    ("auteur", "auteurs"),
    ("affiliation", "affiliations"),
    ("micro-entrepreneur", "micro-entrepreneurs"),
    ("entreprise", "entreprises"),
    ("création", "créations"),
    ("travailleur", "travailleurs"),
    ("indépendant", "indépendants"),
    ("majoration", "majorations"),
    ("pénalité", "pénalités"),
    ("échéancier", "échéanciers"),
]
_COMMON_WORDS = (
    "le la les un une des de du à au aux en dans pour par sur avec sans votre vos notre nos "
    "vous nous il elle est sont être avoir peut doit faut fait faire plus moins très bien tout "
    "tous toutes cette ces son sa ses leur leurs si quand comment pourquoi quel quelle quels "
    "date mois année jours semaine compte ligne espace personnel numéro courrier téléphone "
    "rendez-vous agence service site internet formulaire pièce situation changement adresse "
    "nouveau nouvelle premier première dernier dernière selon cas conditions droit droits "
    "règle règles calcul durée période montant taux"
)
COMMON = _COMMON_WORDS.split(" ")
QUESTION_STARTS = (
    "Comment", "Quand", "Pourquoi", "Qui peut", "Quel est", "Quelle est", "Où", "Que faire si",
    "Peut-on", "Combien de temps",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.knowledge", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--entries", type=int, default=100_000, help="entries to generate (default 100000)"
    )
    parser.add_argument("--queries", type=int, default=200, help="queries to time (default 200)")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the data and the queries")
    add_engine_arguments(parser, POSTGRES_URL)
    args, _unknown = parser.parse_known_args(argv)
    if args.entries < 1 or args.queries < 1:
        parser.error("--entries and --queries must be at least 1")
    if args.worker:
        print(json.dumps(_measure(args)), flush=True)
        return 0
    options = ["--entries", str(args.entries), "--queries", str(args.queries)]
    options += ["--seed", str(args.seed)]
    results = run_engines(parser, "knowledge", args, options)
    _report(results, args)
    return 0 if results else 1


def _report(results: list[dict], args) -> None:
    if not results:
        print("No engine could be measured.")
        return
    print_latency_table(
        (
            f"Knowledge search — {args.entries:,} entries, {results[0]['queries']} queries, "
            f"first {LIMIT} results each"
        ),
        results,
        relais_label=RELAIS_LABEL,
        baseline_label=BASELINE_LABEL,
        target_ratio=TARGET_RATIO,
        baseline_name="icontains",
    )
    for result in results:
        answered = result["answered"]
        print(
            f"queries answered ({result['engine']}): relais {answered['relais']}, "
            f"icontains {answered['baseline']} of {result['queries']}"
        )
        print(
            f"generation ({result['engine']}): {result['entries']:,} entries in "
            f"{result['generation_s']:.0f} s, full-text index built in {result['index_s']:.0f} s"
        )
        slowest = ", ".join(f"{q['query']!r} {q['ms']:.1f} ms" for q in result["slowest_relais"])
        print(f"slowest Relais queries ({result['engine']}): {slowest}")


# --- measurement (worker process) ----------------------------------------------------------


def _zipf_picker(rng: random.Random, items: list):
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(items))]
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)

    def pick(k: int) -> list:
        return rng.choices(items, cum_weights=cumulative, k=k)

    return pick


def _texts(count: int, seed: int):
    """``count`` (question, answer, tags) triples, the same for a given seed.

    Each entry is about one to three topics (Zipf-distributed: some subjects are asked about
    far more than others), which its question, answer and tags name in their various forms;
    the rest of the text is French prose vocabulary (Faker's fr_FR word list, 1,462 words,
    Zipf-distributed too) and common function words; an answer now and then mentions another
    topic in passing.
    """
    from faker.providers.lorem.fr_FR import Provider

    rng = random.Random(seed)
    topics = TOPICS[:]
    rng.shuffle(topics)
    vocabulary = list(Provider.word_list)
    rng.shuffle(vocabulary)
    topic = _zipf_picker(rng, topics)
    prose = _zipf_picker(rng, vocabulary)
    common = _zipf_picker(rng, COMMON)

    def form(forms: tuple) -> str:
        return forms[0] if rng.random() < 0.6 else rng.choice(forms)

    def sentence(subjects: list, n_subject: int) -> list[str]:
        words = [form(rng.choice(subjects)) for _ in range(n_subject)]
        words += prose(rng.randint(4, 8)) + common(rng.randint(3, 6))
        rng.shuffle(words)
        return words

    for _ in range(count):
        subjects = list(dict.fromkeys(topic(rng.choice((1, 2, 2, 3)))))
        question = f"{rng.choice(QUESTION_STARTS)} {' '.join(sentence(subjects, 2))} ?"
        answer_parts = []
        for _sentence in range(rng.randint(3, 6)):
            aside = topic(1) if rng.random() < 0.15 else []
            words = sentence(subjects + aside, rng.randint(0, 2))
            answer_parts.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
        tags = ", ".join(dict.fromkeys(form(f) for f in subjects))
        yield question, " ".join(answer_parts), tags


def _generate(organization, count: int, seed: int) -> None:
    from django.utils import timezone

    from relais.core.knowledge.models import Entry, text_hash

    now = timezone.now()
    batch: list = []
    for index, (question, answer, tags) in enumerate(_texts(count, seed)):
        status = Entry.Status.VALIDATED if index % 10 else Entry.Status.DRAFT
        batch.append(
            Entry(
                organization=organization,
                question=question,
                answer=answer,
                tags=tags,
                status=status,
                text_hash=text_hash(question, answer) if status == Entry.Status.VALIDATED else "",
                validated_at=now if status == Entry.Status.VALIDATED else None,
            )
        )
        if len(batch) == 5000:
            Entry.objects.bulk_create(batch)
            batch = []
    Entry.objects.bulk_create(batch)


def _query_mix(count: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    from relais.core.contacts.normalize import fold

    queries = []
    for _ in range(count):
        words = []
        for forms in rng.sample(TOPICS, rng.choice((1, 2, 2, 2, 3))):
            word = rng.choice(forms)
            style = rng.random()
            if style < 0.2:
                word = fold(word)  # typed without accents
            elif style < 0.3:
                word = word.upper()
            words.append(word)
        queries.append(" ".join(words))
    return queries


def _baseline(organization, query: str) -> list:
    from django.db.models import Q

    from relais.core.knowledge.models import Entry

    condition = Q()
    for word in query.split():
        condition &= Q(question__icontains=word) | Q(answer__icontains=word)
    entries = Entry.objects.filter(organization=organization, status=Entry.Status.VALIDATED)
    return list(entries.filter(condition).order_by("-updated_at", "-id")[:LIMIT])


def _relais(user, organization, query: str) -> list:
    from relais.core.knowledge.selectors import entries_search

    return entries_search(user=user, organization=organization, query=query, limit=LIMIT)


def _timed(call) -> tuple[list, float]:
    started = time.perf_counter()
    rows = call()
    return rows, (time.perf_counter() - started) * 1000


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def rank(p: float) -> float:  # nearest-rank percentile
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)]

    return {"p50": rank(0.50), "p95": rank(0.95)}


def _measure(args) -> dict:
    import django

    django.setup()
    from django.db import connection

    from relais.core.knowledge.models import Entry
    from relais.core.knowledge.search import ENTRY_INDEX

    engine = args.worker
    log = worker_log(engine)
    workspace, user = bench_workspace(log)
    organization = workspace.organization
    log(f"generating {args.entries:,} entries…")
    started = time.perf_counter()
    _generate(organization, args.entries, args.seed)
    generation_s = time.perf_counter() - started
    started = time.perf_counter()
    ENTRY_INDEX.rebuild(Entry.objects.all())  # SQLite; PostgreSQL's GIN index is already there
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    index_s = time.perf_counter() - started
    log(f"generated in {generation_s:.0f} s, indexed in {index_s:.0f} s; measuring…")
    queries = _query_mix(args.queries, args.seed)
    for query in queries[:3]:  # warm both methods' caches
        _relais(user, organization, query)
        _baseline(organization, query)
    timings = []
    for index, query in enumerate(queries, start=1):
        relais_rows, relais_ms = _timed(lambda q=query: _relais(user, organization, q))
        baseline_rows, baseline_ms = _timed(lambda q=query: _baseline(organization, q))
        timings.append(
            {
                "query": query,
                "relais_ms": relais_ms,
                "baseline_ms": baseline_ms,
                "relais_found": bool(relais_rows),
                "baseline_found": bool(baseline_rows),
            }
        )
        if index % 50 == 0:
            log(f"{index}/{len(queries)} queries measured")
    return {
        "engine": engine,
        "entries": args.entries,
        "queries": len(queries),
        "generation_s": generation_s,
        "index_s": index_s,
        "relais": _percentiles([t["relais_ms"] for t in timings]),
        "baseline": _percentiles([t["baseline_ms"] for t in timings]),
        "answered": {
            "relais": sum(t["relais_found"] for t in timings),
            "baseline": sum(t["baseline_found"] for t in timings),
        },
        "slowest_relais": [
            {"query": t["query"], "ms": t["relais_ms"]}
            for t in sorted(timings, key=lambda t: t["relais_ms"], reverse=True)[:3]
        ],
    }


if __name__ == "__main__":
    sys.exit(main())
