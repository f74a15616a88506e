"""Segmentation of 276,000 artists-authors: automatic k, stability, profiles, under 60 s.

A seeded generator draws a population shaped like the artists-authors' body of the seed
(``000_…``): five artistic branches, the regions (Île-de-France over-represented), ages,
online account, channels used (telephone, e-mail, online space, post, reception), procedures
(affiliation, income declaration, social action, retirement quarters, certificates…), number
of contacts and relaunches, and the text of a request written from phrase templates. Persons are
drawn from six hidden archetypes (young people joining, declarants online, seniors about their
retirement, people in hardship asking for help, chasers whose file is stuck, writers and
composers asking about exemptions) with noise, so the planted truth is known but not trivial.

In the same run, on the same data:

* **relais**: ``relais.journeys.segmentation.segment_publics`` — kinds, encoding (TF-IDF of
  French stems for the text), k chosen over 2…10 by silhouette on a 20,000-person sample,
  stability (ARI over 5 bootstrap refits), final MiniBatchKMeans on everyone, profiles and
  persona cards; total wall-clock time;
* **baseline (k fixed)**: scikit-learn ``KMeans`` (Lloyd, k-means++, ``n_init=3``) on the full
  encoded matrix with k fixed to the k Relais chose — no choice of k, no stability, no profile;
* **baseline (naive automatic k)**: the same ``KMeans`` on the full matrix for every k of 2…10,
  each scored by the silhouette on the same 4,000 persons — the obvious way to choose k, without
  stability nor profiles (``--no-auto-baseline`` skips it: it is the slow one).

Reported: time (target < 60 s) as wall clock and CPU (the machine may be shared), chosen k with
the silhouette and stability per k, stability, ARI against the planted archetypes, ARI between
Relais and the baselines, and the time ratios baseline / relais.
"""

import argparse
import sys
import time

import numpy as np

TARGET_SECONDS = 60
BRANCHES = (
    "Arts graphiques et plastiques",
    "Écrivains et littérature",
    "Musique et chorégraphie",
    "Cinéma et audiovisuel",
    "Photographie",
)
REGIONS = (
    ("Île-de-France", 0.38),
    ("Auvergne-Rhône-Alpes", 0.10),
    ("Provence-Alpes-Côte d'Azur", 0.08),
    ("Occitanie", 0.08),
    ("Nouvelle-Aquitaine", 0.07),
    ("Grand Est", 0.05),
    ("Hauts-de-France", 0.04),
    ("Bretagne", 0.05),
    ("Pays de la Loire", 0.04),
    ("Normandie", 0.03),
    ("Bourgogne-Franche-Comté", 0.03),
    ("Centre-Val de Loire", 0.02),
    ("Corse", 0.01),
    ("Outre-mer", 0.02),
)
CHANNELS = ("telephone", "courriel", "espace en ligne", "courrier", "accueil")
PROCEDURES = (
    "affiliation",
    "declaration de revenus",
    "action sociale",
    "trimestres retraite",
    "attestation",
    "dispense de precompte",
)
# Archetype → (share, age mean/sd, branch weights, online-account probability,
#   channel probabilities, procedure probabilities, mean contacts, mean relaunches, phrases)
ARCHETYPES = (
    (
        "jeunes qui s'affilient",
        0.20,
        (27, 4),
        (0.30, 0.15, 0.15, 0.20, 0.20),
        0.75,
        (0.25, 0.60, 0.80, 0.05, 0.05),
        (0.90, 0.40, 0.05, 0.02, 0.30, 0.05),
        2.0,
        0.3,
        (
            "je viens de commencer mon activité et je veux m'affilier",
            "quel numéro siret pour ma première déclaration",
            "comment créer mon espace en ligne pour l'affiliation",
            "première année d'activité artistique, quelles démarches",
        ),
    ),
    (
        "déclarants en ligne",
        0.30,
        (45, 9),
        (0.35, 0.20, 0.15, 0.15, 0.15),
        0.95,
        (0.10, 0.30, 0.95, 0.02, 0.02),
        (0.05, 0.95, 0.03, 0.05, 0.30, 0.10),
        1.2,
        0.1,
        (
            "question sur ma déclaration de revenus artistiques annuelle",
            "comment déclarer mes droits d'auteur dans l'espace en ligne",
            "montant des revenus à déclarer cette année",
            "erreur de saisie dans ma déclaration, comment la corriger",
        ),
    ),
    (
        "seniors et retraite",
        0.16,
        (63, 5),
        (0.30, 0.30, 0.15, 0.15, 0.10),
        0.35,
        (0.85, 0.15, 0.20, 0.50, 0.15),
        (0.02, 0.30, 0.05, 0.90, 0.30, 0.02),
        3.0,
        0.8,
        (
            "validation de mes trimestres de retraite pour les années anciennes",
            "relevé de carrière incomplet, trimestres manquants",
            "je prépare ma retraite et il manque des trimestres",
            "rachat de trimestres de retraite des artistes auteurs",
        ),
    ),
    (
        "difficultés et action sociale",
        0.12,
        (44, 10),
        (0.40, 0.15, 0.20, 0.15, 0.10),
        0.50,
        (0.90, 0.40, 0.30, 0.10, 0.30),
        (0.05, 0.30, 0.95, 0.05, 0.20, 0.02),
        4.5,
        1.5,
        (
            "demande d'aide financière exceptionnelle, situation urgente",
            "je n'arrive plus à payer, aide de l'action sociale",
            "prise en charge des cotisations suite à une baisse de revenus",
            "dossier d'aide sociale déposé, quel délai de réponse",
        ),
    ),
    (
        "relanceurs dossier bloqué",
        0.12,
        (48, 11),
        (0.20, 0.20, 0.20, 0.20, 0.20),
        0.60,
        (0.95, 0.85, 0.40, 0.20, 0.10),
        (0.20, 0.40, 0.10, 0.20, 0.85, 0.05),
        8.0,
        4.0,
        (
            "je relance encore, toujours pas reçu mon attestation",
            "troisième relance sans réponse pour mon attestation",
            "dossier toujours bloqué malgré mes appels et courriels",
            "personne ne répond, attestation toujours en attente",
        ),
    ),
    (
        "écrivains et compositeurs, précompte",
        0.10,
        (52, 12),
        (0.05, 0.50, 0.40, 0.03, 0.02),
        0.80,
        (0.20, 0.80, 0.60, 0.10, 0.02),
        (0.05, 0.50, 0.02, 0.10, 0.20, 0.90),
        1.8,
        0.3,
        (
            "dispense de précompte pour mes droits d'auteur versés par l'éditeur",
            "l'éditeur me demande une attestation de dispense de précompte",
            "précompte retenu sur mes droits par la société de gestion",
            "renouvellement de la dispense de précompte cette année",
        ),
    ),
)
# Details that make every request its own, as real ones are (a work, a place, a time, a file).
WORKS = (
    "mon livre",
    "ma série photo",
    "mon exposition",
    "mon album",
    "mon court métrage",
    "ma bande dessinée",
    "mes illustrations",
    "ma chorégraphie",
    "mon scénario",
    "mes sculptures",
)
PLACES = (
    "à Paris",
    "à Lyon",
    "à Marseille",
    "à Toulouse",
    "à Nantes",
    "à Lille",
    "à Rennes",
    "à Bordeaux",
    "à Strasbourg",
    "à Montpellier",
    "en ligne",
    "à l'étranger",
)
NOISE_PHRASES = (
    "bonjour",
    "merci de votre aide",
    "pouvez-vous me rappeler",
    "cordialement",
    "",
)


def generate_persons(n: int, seed: int = 2026):
    """``(persons, truth)``: a Polars frame of ``n`` artists-authors and the index of the hidden
    archetype of each (seeded, vectorised: 276,000 persons in a second or two)."""
    import polars as pl

    rng = np.random.default_rng(seed)
    shares = np.array([a[1] for a in ARCHETYPES])
    truth = rng.choice(len(ARCHETYPES), size=n, p=shares / shares.sum())
    age = np.empty(n)
    branch = np.empty(n, dtype=object)
    online = np.empty(n, dtype=object)
    contacts = np.empty(n, dtype=np.int64)
    relaunches = np.empty(n, dtype=np.int64)
    channels = np.empty(n, dtype=object)
    procedures = np.empty(n, dtype=object)
    request = np.empty(n, dtype=object)
    for index, archetype in enumerate(ARCHETYPES):
        _, _, (mean, sd), branch_p, online_p, channel_p, procedure_p, mc, mr, phrases = archetype
        rows = np.flatnonzero(truth == index)
        m = len(rows)
        age[rows] = np.clip(rng.normal(mean, sd, m), 18, 92).round()
        branch[rows] = np.array(BRANCHES, dtype=object)[rng.choice(5, m, p=branch_p)]
        online[rows] = np.where(rng.random(m) < online_p, "oui", "non")
        contacts[rows] = rng.poisson(mc, m)
        relaunches[rows] = rng.poisson(mr, m)
        channels[rows] = _multi(rng, CHANNELS, channel_p, m)
        procedures[rows] = _multi(rng, PROCEDURES, procedure_p, m)
        main = np.array(phrases, dtype=object)[rng.integers(0, len(phrases), m)]
        noise = np.array(NOISE_PHRASES, dtype=object)[rng.integers(0, len(NOISE_PHRASES), m)]
        # One request in ten speaks about something else (another archetype's phrase).
        other = ARCHETYPES[(index + 1 + rng.integers(0, len(ARCHETYPES) - 1)) % len(ARCHETYPES)]
        stray = rng.random(m) < 0.1
        main[stray] = np.array(other[9], dtype=object)[rng.integers(0, 4, stray.sum())]
        works = np.array(WORKS, dtype=object)[rng.integers(0, len(WORKS), m)]
        places = np.array(PLACES, dtype=object)[rng.integers(0, len(PLACES), m)]
        years = rng.integers(2015, 2026, m)
        files = rng.integers(100_000, 999_999, m)
        request[rows] = [
            f"{a} ({w} {p}, {y}, dossier {f}) {b}".strip()
            for a, w, p, y, f, b in zip(main, works, places, years, files, noise, strict=True)
        ]
    names, weights = zip(*REGIONS, strict=True)
    weights = np.array(weights) / sum(weights)
    region = np.array(names, dtype=object)[rng.choice(len(names), n, p=weights)]
    persons = pl.DataFrame(
        {
            "id": [f"AA{i:07d}" for i in range(n)],
            "age": age.astype(np.int64),
            "branche": branch.tolist(),
            "region": region.tolist(),
            "compte_en_ligne": online.tolist(),
            "canaux": channels.tolist(),
            "demarches": procedures.tolist(),
            "nb_contacts": contacts,
            "nb_relances": relaunches,
            "demande": request.tolist(),
        }
    )
    return persons, truth


def _multi(rng, values, probabilities, m):
    chosen = rng.random((m, len(values))) < np.array(probabilities)
    # Everyone used at least one channel / made at least one procedure: the likeliest one.
    chosen[~chosen.any(axis=1), int(np.argmax(probabilities))] = True
    labels = np.array(values, dtype=object)
    return ["|".join(labels[row]) for row in chosen]


def _naive_auto_k(matrix, truth, labels, seed, relais_s, relais_cpu) -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    started, cpu = time.perf_counter(), time.process_time()
    evaluation = np.random.default_rng(seed).choice(len(matrix), 4000, replace=False)
    scores, fitted = {}, {}
    for k in range(2, 11):
        fitted[k] = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(matrix)
        scores[k] = silhouette_score(matrix[evaluation], fitted[k][evaluation])
    best = max(scores, key=scores.get)
    naive_s, naive_cpu = time.perf_counter() - started, time.process_time() - cpu
    shown = ", ".join(f"{k}: {s:.3f}" for k, s in scores.items())
    print(
        f"baseline naive automatic k (KMeans on the full set for k = 2…10, silhouette on 4,000): "
        f"{naive_s:.1f} s wall, {naive_cpu:.1f} s CPU (encoding not counted); chosen k = {best} "
        f"({shown}); ARI against the archetypes "
        f"{adjusted_rand_score(truth, fitted[best]):.3f}; ARI relais vs it "
        f"{adjusted_rand_score(labels, fitted[best]):.3f}"
    )
    print(
        f"ratio naive automatic k / relais: {naive_s / relais_s:.2f}× wall, "
        f"{naive_cpu / relais_cpu:.2f}× CPU"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.journeys_segments", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--persons", type=int, default=276_000, help="persons (default 276000)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated population")
    parser.add_argument("--no-baseline", action="store_true", help="skip the full KMeans")
    parser.add_argument(
        "--no-auto-baseline", action="store_true", help="skip the naive automatic-k baseline"
    )
    args, _unknown = parser.parse_known_args(argv)
    if args.persons < 100:
        parser.error("--persons must be at least 100")

    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from relais.journeys.segmentation import encode, segment_publics

    started = time.perf_counter()
    persons, truth = generate_persons(args.persons, args.seed)
    print(f"generated {persons.height:,} persons in {time.perf_counter() - started:.1f} s")

    started, cpu = time.perf_counter(), time.process_time()
    result = segment_publics(persons, id_column="id", seed=args.seed)
    relais_s = time.perf_counter() - started
    relais_cpu = time.process_time() - cpu
    labels = result.segments.to_numpy()
    ari_truth = adjusted_rand_score(truth, labels)
    scores = ", ".join(
        f"{k}: {s:.3f} / {result.choice.stability[k]:.2f}" for k, s in result.choice.scores.items()
    )
    steps = ", ".join(f"{name} {s:.1f} s" for name, s in result.timings.items() if name != "total")
    print()
    print(f"relais  segment_publics: {relais_s:.1f} s wall, {relais_cpu:.1f} s CPU ({steps})")
    print(f"        chosen k = {result.k} (silhouette / stability per k — {scores})")
    print(
        f"        stability: mean ARI {result.stability.mean_ari:.3f}, "
        f"min {result.stability.min_ari:.3f} over {result.stability.runs} bootstrap refits "
        f"({result.stability.verdict})"
    )
    print(f"        ARI against the {len(ARCHETYPES)} planted archetypes: {ari_truth:.3f}")
    status = 0 if relais_s < TARGET_SECONDS else 1
    if not args.no_baseline:
        started, cpu = time.perf_counter(), time.process_time()
        matrix = encode(persons, result.kinds, seed=args.seed).matrix
        baseline_labels = KMeans(n_clusters=result.k, n_init=3, random_state=args.seed).fit_predict(
            matrix
        )
        baseline_s = time.perf_counter() - started
        baseline_cpu = time.process_time() - cpu
        print(
            f"baseline KMeans (full set, k = {result.k} fixed, n_init=3, same encoding): "
            f"{baseline_s:.1f} s wall, {baseline_cpu:.1f} s CPU; ARI against the archetypes "
            f"{adjusted_rand_score(truth, baseline_labels):.3f}; "
            f"ARI relais vs baseline {adjusted_rand_score(labels, baseline_labels):.3f}"
        )
        print(
            f"ratio baseline / relais: {baseline_s / relais_s:.2f}× wall, "
            f"{baseline_cpu / relais_cpu:.2f}× CPU (the baseline neither chooses k, nor measures "
            f"stability, nor profiles)"
        )
        if not args.no_auto_baseline:
            _naive_auto_k(matrix, truth, labels, args.seed, relais_s, relais_cpu)
    print()
    for profile in result.profiles[:6]:
        print(f"{profile.persona}\n")
    print()
    verdict = "met" if relais_s < TARGET_SECONDS else "NOT met"
    print(
        f"target: {args.persons:,} persons in < {TARGET_SECONDS} s — {relais_s:.1f} s ({verdict})"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
