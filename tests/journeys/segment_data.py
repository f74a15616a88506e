"""Persons drawn from planted groups, for the segmentation tests (seeded, small)."""

import numpy as np
import polars as pl

GROUPS = (
    # age mean, branch, channels, procedure, request phrases
    (
        26,
        "Arts graphiques et plastiques",
        "espace en ligne|courriel",
        "affiliation",
        ("je veux m'affilier comme jeune artiste", "première affiliation, numéro siret"),
    ),
    (
        42,
        "Écrivains et littérature",
        "courriel",
        "dispense de precompte",
        ("dispense de précompte demandée par mon éditeur", "précompte sur mes droits d'auteur"),
    ),
    (
        58,
        "Musique et chorégraphie",
        "telephone|courriel",
        "action sociale",
        ("aide financière urgente de l'action sociale", "difficultés pour payer, aide sociale"),
    ),
    (
        71,
        "Photographie",
        "telephone|courrier",
        "trimestres retraite",
        ("validation des trimestres de retraite", "relevé de carrière et trimestres manquants"),
    ),
)
OPENINGS = (
    "Bonjour,",
    "Madame, Monsieur,",
    "Bonjour, une question :",
    "Je vous écris car",
    "Suite à mon appel,",
    "Rebonjour,",
    "Bonsoir,",
    "Pour information,",
)
REGIONS = ("Île-de-France", "Occitanie", "Bretagne", "Grand Est", "Normandie")


def planted_persons(n: int = 1200, *, groups: int = 4, seed: int = 7, purity: float = 0.92):
    """``(persons, truth)``: ``n`` persons from ``groups`` planted groups; each attribute
    follows the person's group with probability ``purity`` (else another group's value), the
    region is noise."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, groups, n)

    def attribute(index):
        own = truth.copy()
        stray = rng.random(n) > purity
        own[stray] = rng.integers(0, groups, stray.sum())
        return [GROUPS[g][index] for g in own]

    ages = np.array([GROUPS[g][0] for g in truth]) + rng.normal(0, 3, n)
    phrases = [
        f"{OPENINGS[rng.integers(0, len(OPENINGS))]} {GROUPS[g][4][rng.integers(0, 2)]}"
        for g in truth
    ]
    frame = pl.DataFrame(
        {
            "id": [f"P{i:05d}" for i in range(n)],
            "age": ages.round().astype(int),
            "branche": attribute(1),
            "canaux": attribute(2),
            "demarche": attribute(3),
            "region": [REGIONS[r] for r in rng.integers(0, len(REGIONS), n)],
            "demande": phrases,
        }
    )
    return frame, truth
