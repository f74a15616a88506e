"""The seed's three deliverables, as data for the interactive pages and as PDF reports:

1. **segmentation of the publics and their needs** (:func:`segmentation_report`): the persons
   of a kept log (its person column, or its cases when it has none) described by what they did
   (contacts, channels, procedures, the words of their requests) and their attributes,
   segmented with :func:`relais.journeys.segmentation.segment_publics` (seeded: the same log
   gives the same segments), with each segment's profile and persona card;
2. **journey maps with the time per step** (:func:`journeys_report`): every designed journey of
   the organization, its steps in chronological order with the designed duration beside the
   time observed in the log, frequency, rework and skipped share
   (:func:`relais.journeys.comparison.compare`);
3. **recommendations ranked by gain** (a stored set, see
   :mod:`relais.journeys.recommendations`).

PDFs are built with fpdf2 and the vendored DejaVu fonts, like the user kit
(:mod:`relais.core.userkit`), so they need no network and carry every French character.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from relais.core.userkit import FONT, FONT_DIR, HEADING_COLOUR, french_date
from relais.journeys.bpmn import journey_data
from relais.journeys.comparison import compare, observed_from_mining
from relais.journeys.eventlogs import ACTIVITY, CANONICAL, CASE, CHANNEL, TIMESTAMP
from relais.journeys.journey_map import duration_label
from relais.journeys.mining import mine
from relais.journeys.personas import fr_int, fr_percent
from relais.journeys.recommendations import CHANNEL_LABELS, LEVERS
from relais.journeys.segment_features import person_features
from relais.journeys.templatetags.journeys_tags import seconds

PERSON_COLUMNS = ("personne", "person", "person_id", "affilie", "usager", "contact", "client")
REASON_COLUMNS = ("motif", "raison", "reason", "texte", "text", "objet", "verbatim")
MAX_CATEGORIES = 30  # an attribute with more values than this is an identifier, not a trait


# --------------------------------------------------------------------------------------------
# 1. Segmentation


@dataclass
class SegmentationReport:
    unit: str  # "personnes" or "dossiers"
    n_persons: int
    profiles: list = field(default_factory=list)
    k: int | None = None
    method: str = ""
    stability: object = None
    error: str = ""


def persons_of(frame: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """One row per person of the log (per case without a person column): what they did and
    their attributes. Returns (persons with an ``id`` column, "personnes" or "dossiers")."""
    lowered = {column.lower(): column for column in frame.columns if column not in CANONICAL}
    person = next((lowered[name] for name in PERSON_COLUMNS if name in lowered), None)
    unit = "personnes" if person else "dossiers"
    key = person or CASE
    features = person_features(
        frame,
        person=key,
        case=CASE if person else None,
        activity=ACTIVITY,
        timestamp=TIMESTAMP,
        channel=CHANNEL if CHANNEL in frame.columns else None,
    ).rename({"person": "id"})
    reason = next((lowered[name] for name in REASON_COLUMNS if name in lowered), None)
    keyed = frame.with_columns(pl.col(key).cast(pl.String).alias("id"))
    extra = []
    for column in frame.columns:
        if column in CANONICAL or column in (person, reason, "id"):
            continue
        values = keyed.get_column(column).cast(pl.String)
        if 2 <= values.drop_nulls().n_unique() <= MAX_CATEGORIES:
            extra.append(pl.col(column).cast(pl.String).drop_nulls().first().alias(column))
    if reason:
        extra.append(pl.col(reason).cast(pl.String).drop_nulls().str.join(" ").alias("demandes"))
    if extra:
        attributes = keyed.group_by("id").agg(extra)
        features = features.join(attributes, on="id", how="left")
    return features.sort("id"), unit


def segmentation_report(frame: pl.DataFrame, *, seed: int = 0) -> SegmentationReport:
    """Deliverable 1 on a kept log's frame (see the module docstring)."""
    from relais.journeys.segmentation import segment_publics

    persons, unit = persons_of(frame)
    report = SegmentationReport(unit=unit, n_persons=persons.height)
    try:
        result = segment_publics(
            persons,
            id_column="id",
            seed=seed,
            stability_runs=3,
            k_range=(2, max(2, min(8, persons.height // 3))),
        )
    except ValueError as error:
        report.error = f"Segmentation impossible : {error}"
        return report
    report.profiles = result.profiles
    report.k = result.k
    report.method = result.method
    report.stability = result.stability
    return report


# --------------------------------------------------------------------------------------------
# 2. Journey maps with the time per step


def observed_stats(frame: pl.DataFrame) -> tuple[dict, list, int]:
    """(activity stats, variants, cases) of a log, as :func:`compare` reads them."""
    mined = mine(frame, only=frozenset({"dfg", "variants", "activities", "rework"}))
    return observed_from_mining(mined.as_dict())


def journeys_report(frame: pl.DataFrame, journeys) -> list[dict]:
    """Deliverable 2: for each designed journey (loaded with its phases and steps), its steps in
    order with the designed and the observed time, and the comparison's findings."""
    stats, variants, n_cases = observed_stats(frame)
    out = []
    for journey in journeys:
        data = journey_data(journey)
        comparison = compare(data, stats, variants, n_cases=n_cases)
        rows = []
        steps = [(phase, step) for phase in journey.phases.all() for step in phase.steps.all()]
        for (phase, step), row in zip(steps, comparison["steps"], strict=True):
            rows.append(
                {
                    **row,
                    "phase": phase.name,
                    "channel": step.get_channel_display(),
                    "actor": step.get_actor_display(),
                    "designed": duration_label(step),
                    "emotion": step.emotion,
                    "pain_points": step.pain_point_list,
                }
            )
        # One scale for the designed and the observed time of the journey's steps: the bars.
        longest = max(
            (v or 0 for row in rows for v in (row["expected_seconds"], row["mean_seconds"])),
            default=0,
        )
        for row in rows:
            for key, value in (
                ("designed_bar", row["expected_seconds"]),
                ("observed_bar", row["mean_seconds"]),
            ):
                row[key] = round(100 * max(value or 0, 0) / longest) if longest else 0
        out.append({"journey": journey, "steps": rows, "comparison": comparison})
    return out


# --------------------------------------------------------------------------------------------
# PDF


def seconds_label(value: float | None) -> str:
    """A duration for print, as on the pages (« 12 min », « 2,5 j »)."""
    return seconds(value).replace("\u00a0", " ")


def number_label(value: float, digits: int = 0) -> str:
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    return text


class ReportPDF(FPDF):
    """An A4 report: a cover, numbered pages, headings, paragraphs and tables."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.report_title = title
        for style, file in (
            ("", "DejaVuSans.ttf"),
            ("B", "DejaVuSans-Bold.ttf"),
            ("I", "DejaVuSans-Oblique.ttf"),
        ):
            self.add_font(FONT, style, FONT_DIR / file)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_lang("fr")
        self.set_creator("Relais")

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(100)
        self.cell(0, 6, self.report_title, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 6, f"page {self.page_no()} / {{nb}}", align="R")
        self.set_text_color(0)

    def cover(self, organization: str, subtitle: str, today: date) -> None:
        self.add_page()
        self.start_section(self.report_title, 0)
        self.set_y(80)
        self.set_font(FONT, "B", 22)
        self.multi_cell(0, 11, self.report_title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(6)
        self.set_font(FONT, "", 13)
        self.multi_cell(0, 8, organization, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.multi_cell(0, 8, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)
        self.multi_cell(
            0, 8, f"Édition du {french_date(today)}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.add_page()

    def heading(self, text: str, level: int = 1) -> None:
        size = {1: 16, 2: 13, 3: 11}[level]
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(3)
        self.start_section(text, level)
        self.set_font(FONT, "B", size)
        self.set_text_color(HEADING_COLOUR)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(1)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.set_font(FONT, "", size)
        self.multi_cell(0, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def grid(self, header: list[str], rows: list[list], widths: tuple[int, ...]) -> None:
        self.set_font(FONT, "", 8)
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
            line_height=4.5,
        ) as table:
            head = table.row()
            for text in header:
                head.cell(text)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(str(value))
        self.ln(2)

    def bars(self, rows: list[tuple[str, float | None, float | None]]) -> None:
        """Designed (blue) and observed (orange) time per step, on one scale: the chronology."""
        longest = max((v or 0 for _label, a, b in rows for v in (a, b)), default=0) or 1
        label_width, usable = 60, self.epw - 62
        self.set_font(FONT, "", 7)
        for label, designed, observed in rows:
            if self.get_y() > self.h - 30:
                self.add_page()
            y = self.get_y()
            self.set_xy(self.l_margin, y)
            self.cell(label_width, 4, label[:45])
            x = self.l_margin + label_width + 2
            for value, colour, offset in (
                (designed, (31, 58, 95), 0),
                (observed, (214, 110, 0), 2),
            ):
                if value:
                    self.set_fill_color(*colour)
                    self.rect(x, y + offset, max(usable * value / longest, 0.6), 1.8, style="F")
            self.set_y(y + 5)
        self.set_font(FONT, "I", 7)
        self.cell(0, 4, "Bleu : durée prévue ; orange : temps observé (même échelle).")
        self.ln(6)

    def bytes(self) -> bytes:
        return bytes(self.output())


def segmentation_pdf(organization, log, report: SegmentationReport, *, today=None) -> bytes:
    pdf = ReportPDF("Livrable 1 — Segmentation des publics et de leurs besoins")
    pdf.cover(organization.name, f"D'après le journal « {log.name} »", today or date.today())
    pdf.heading("Synthèse")
    if report.error:
        pdf.paragraph(report.error)
        return pdf.bytes()
    stability = report.stability
    pdf.paragraph(
        f"{fr_int(report.n_persons)} {report.unit} décrits par leurs contacts, leurs canaux, "
        f"leurs démarches et leurs attributs ; méthode : {report.method} ; "
        f"{len(report.profiles)} segments"
        + (
            f", stabilité {stability.verdict} (indice de Rand ajusté moyen "
            f"{stability.mean_ari:.2f} sur {stability.runs} tirages)."
            if stability
            else "."
        )
    )
    rows = []
    for profile in report.profiles:
        rows.append(
            [
                profile.name,
                fr_int(profile.size),
                fr_percent(profile.share),
                ", ".join(f"{v.value} {fr_percent(v.share)}" for v in profile.channel_mix[:3]),
                ", ".join(v.value for v in profile.needs[:3]) or "—",
            ]
        )
    pdf.grid(
        ["Segment", "Taille", "Part", "Canaux", "Besoins principaux"], rows, (14, 12, 10, 34, 30)
    )
    pdf.heading("Profils et personas")
    for profile in report.profiles:
        pdf.heading(profile.title, 2)
        if profile.traits:
            pdf.paragraph("Traits : " + " ; ".join(profile.traits) + ".")
        pdf.paragraph(profile.persona)
    return pdf.bytes()


def journeys_pdf(organization, log, reports: list[dict], *, today=None) -> bytes:
    pdf = ReportPDF("Livrable 2 — Cartographie des parcours et temps par étape")
    pdf.cover(
        organization.name,
        f"Parcours conçus comparés au journal « {log.name} »",
        today or date.today(),
    )
    if not reports:
        pdf.paragraph("Aucun parcours conçu : créez-en un depuis la page « Parcours ».")
    for entry in reports:
        journey, comparison = entry["journey"], entry["comparison"]
        pdf.heading(journey.title)
        pdf.paragraph(
            f"Public : {journey.public or '—'} ; démarche : {journey.procedure or '—'}. "
            f"{fr_int(comparison['n_cases'])} dossiers observés ; "
            f"{fr_percent(comparison['conforming_share'] or 0)} suivent exactement le parcours conçu."
        )
        pdf.heading("Actes et étapes, chronologie", 2)
        pdf.grid(
            [
                "Phase",
                "N°",
                "Étape",
                "Canal",
                "Prévu",
                "Observé",
                "Dossiers",
                "Sautée",
                "Reprises",
                "Ressenti",
            ],
            [
                [
                    row["phase"],
                    row["position"],
                    row["name"],
                    row["channel"],
                    row["designed"],
                    seconds_label(row["mean_seconds"]),
                    fr_int(row["cases"]),
                    fr_percent(row["skipped_share"] or 0),
                    fr_int(row["rework_cases"]),
                    f"{row['emotion']:+d}",
                ]
                for row in entry["steps"]
            ],
            (20, 6, 30, 16, 12, 14, 12, 11, 11, 11),
        )
        pdf.heading("Temps par étape", 2)
        pdf.bars(
            [
                (f"{row['position']}. {row['name']}", row["expected_seconds"], row["mean_seconds"])
                for row in entry["steps"]
            ]
        )
        pains = [(row["name"], p) for row in entry["steps"] for p in row["pain_points"]]
        if pains:
            pdf.heading("Irritants", 2)
            for name, pain in pains:
                pdf.paragraph(f"• {name} : {pain}", size=9)
        if comparison["undesigned"]:
            pdf.heading("Activités observées hors du parcours conçu", 2)
            for row in comparison["undesigned"][:15]:
                pdf.paragraph(
                    f"• {row['activity']} : {fr_int(row['cases'])} dossiers "
                    f"({fr_percent(row['case_share'] or 0)})",
                    size=9,
                )
    return pdf.bytes()


def recommendations_pdf(recommendation_set, *, today=None) -> bytes:
    """Deliverable 3: the set's recommendations ranked by gain, each with its evidence and the
    arithmetic of its gain, and the assumptions used."""
    ranking = recommendation_set.ranking or {}
    log = ranking.get("log", {})
    pdf = ReportPDF("Livrable 3 — Recommandations classées par gain")
    pdf.cover(
        recommendation_set.organization.name,
        f"{recommendation_set.name} (journal « {recommendation_set.event_log.name} »)",
        today or date.today(),
    )
    rows = recommendation_set.recommendations
    pdf.heading("Synthèse")
    pdf.paragraph(
        f"{fr_int(log.get('n_cases', 0))} dossiers, {fr_int(log.get('n_contacts', 0))} contacts "
        f"sur {number_label(log.get('period_days', 0), 1)} jours ; passage à l'année × "
        f"{number_label(log.get('case_factor', 0), 2)}. {len(rows)} recommandations, classées "
        "par gain : dossiers par an × (contacts évités par dossier × minutes de traitement + "
        "jours d'attente évités par dossier × valeur d'un jour) × poids de satisfaction, en "
        "minutes-équivalent pondérées par an."
    )
    pdf.grid(
        [
            "Rang",
            "Levier",
            "Problème observé",
            "Contacts évités / an",
            "Jours d'attente évités / an",
            "Gain",
        ],
        [
            [
                row["rank"],
                row["lever_label"],
                row["subject"],
                number_label(row["gain"]["contacts_avoided_per_year"]),
                number_label(row["gain"]["waiting_days_saved_per_year"]),
                number_label(row["gain"]["value"]),
            ]
            for row in rows
        ],
        (8, 24, 40, 14, 14, 12),
    )
    pdf.heading("Détail des recommandations")
    for row in rows:
        gain = row["gain"]
        pdf.heading(f"{row['rank']}. {row['lever_label']} — {row['subject']}", 2)
        pdf.paragraph(row["action"])
        pdf.paragraph(
            "Constats : "
            + " ; ".join(f"{label} : {value}" for label, value in row["evidence"]["figures"])
            + ". Dossiers en exemple : "
            + (", ".join(row["evidence"]["sample_cases"]) or "—")
            + ".",
            size=9,
        )
        pdf.paragraph(
            f"Gain : {number_label(gain['cases_per_year'], 1)} dossiers par an × "
            f"({number_label(gain['contacts_avoided_per_case'], 2)} contacts évités × minutes "
            f"+ {number_label(gain['waiting_days_saved_per_case'], 2)} jours × "
            f"{number_label(gain['waiting_day_minutes'])} min) × poids {number_label(gain['weight'], 1)} "
            f"= {number_label(gain['value'])} ; soit "
            f"{number_label(gain['staff_minutes_per_year'] / 60, 1)} heures de traitement et "
            f"{number_label(gain['waiting_days_saved_per_year'], 1)} jours d'attente par an.",
            size=9,
        )
    pdf.heading("Hypothèses")
    assumptions = recommendation_set.assumptions
    pdf.grid(
        ["Canal", "Minutes de traitement"],
        [
            [CHANNEL_LABELS.get(key, "autre canal"), number_label(value, 1)]
            for key, value in assumptions["handling_minutes"].items()
        ],
        (50, 50),
    )
    pdf.paragraph(
        f"Valeur d'un jour d'attente : {number_label(assumptions['waiting_day_minutes'])} "
        f"minutes ; attente longue à partir de {number_label(assumptions['long_wait_days'], 1)} "
        f"jours ; contact répété sous {number_label(assumptions['repeat_days'], 1)} jours. "
        "Parts de contacts évités par levier : "
        + ", ".join(
            f"{LEVERS[k].label} {v * 100:.0f} %" for k, v in assumptions["avoided_share"].items()
        )
        + ".",
        size=9,
    )
    return pdf.bytes()
