"""A small hand-checked log for the recommendations: five cases of a procedure, process steps
on the back office and contacts (phone, e-mail, web) with the reason in the person's words.

The log spans exactly 36.525 days (1 January 00:00 → 6 February 12:36), a tenth of a year:
annualised from its period, every figure is multiplied by 10.
"""

import polars as pl

from relais.journeys.eventlogs import ColumnMapping, to_canonical

ROWS = [
    # case, activity, timestamp, channel, reason
    ("A", "Réception", "2026-01-01T00:00:00", "back_office", ""),
    ("A", "Appel", "2026-01-08T10:00:00", "phone", "Toujours pas de nouvelles de mon dossier"),
    ("A", "Examen", "2026-01-11T00:00:00", "back_office", ""),
    ("A", "Décision", "2026-01-12T00:00:00", "back_office", ""),
    ("B", "Réception", "2026-01-02T00:00:00", "back_office", ""),
    ("B", "Courriel", "2026-01-03T09:00:00", "email", "Je ne comprends pas le courrier reçu"),
    ("B", "Examen", "2026-01-04T00:00:00", "back_office", ""),
    ("B", "Examen", "2026-01-06T00:00:00", "back_office", ""),
    ("B", "Décision", "2026-01-07T00:00:00", "back_office", ""),
    ("C", "Visite", "2026-01-01T12:00:00", "web", "Page affiliation"),
    ("C", "Appel", "2026-01-01T13:00:00", "phone", "Quelles pièces fournir ?"),
    ("C", "Réception", "2026-01-02T00:00:00", "back_office", ""),
    ("C", "Appel", "2026-01-09T00:00:00", "phone", "J'attends toujours une réponse, relance"),
    ("C", "Examen", "2026-01-14T00:00:00", "back_office", ""),
    ("D", "Réception", "2026-02-06T12:36:00", "back_office", ""),
    ("E", "Appel", "2026-01-20T10:00:00", "phone", "Quelles sont les conditions d'affiliation ?"),
]


def reco_frame() -> pl.DataFrame:
    raw = pl.DataFrame(
        {
            "dossier": [r[0] for r in ROWS],
            "etape": [r[1] for r in ROWS],
            "date": [r[2] for r in ROWS],
            "canal": [r[3] for r in ROWS],
            "motif": [r[4] for r in ROWS],
        }
    )
    return to_canonical(
        raw, ColumnMapping(case="dossier", activity="etape", timestamp="date", channel="canal")
    )
