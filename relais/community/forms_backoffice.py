"""The back office's forms (French labels and errors; the services check again)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from relais.community.kpis import LONGEST_PERIOD
from relais.community.models import DEFAULT_FEATURES, Access, CategoryKind, WordAction
from relais.community.moderation.words import WordListError, make_entry
from relais.community.services.backoffice import TRUST_RULES, clean_origin
from relais.community.statement import STATUS_CHOICES
from relais.core.forms import BootstrapForm, DateInput

FEATURE_LABELS = {
    "forum": _("Forum (questions et discussions)"),
    "official_answers": _("Réponses officielles et validations"),
    "flags": _("Signalements par les membres"),
    "search": _("Recherche dans le forum"),
    "chat": _("Messagerie instantanée (partie 2)"),
    "polls": _("Sondages et avis (partie 2)"),
    "events": _("Événements en ligne (partie 2)"),
    "badges": _("Points et badges (partie 2)"),
}

TRUST_LABELS = {
    "days_visited": _("Jours de visite"),
    "posts_read": _("Messages lus"),
    "read_minutes": _("Minutes de lecture"),
    "posts_count": _("Messages écrits"),
    "likes_given": _("Mentions j'aime données"),
    "likes_received": _("Mentions j'aime reçues"),
    "flags_agreed": _("Signalements confirmés"),
    "max_flags_received": _("Signalements confirmés contre lui, au plus"),
}


class PeriodForm(forms.Form):
    """``?start=AAAA-MM-JJ&end=AAAA-MM-JJ`` (both included)."""

    start = forms.DateField(
        label=_("Du"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Date de début invalide (JJ/MM/AAAA).")},
    )
    end = forms.DateField(
        label=_("Au"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Date de fin invalide (JJ/MM/AAAA).")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError(_("La date de début doit précéder la date de fin."))
            if end - start > datetime.timedelta(days=LONGEST_PERIOD):
                raise ValidationError(_("La période ne peut pas dépasser trois ans."))
        return data


class FeaturesForm(BootstrapForm):
    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {**DEFAULT_FEATURES, **((community and community.features) or {})}
        for name in DEFAULT_FEATURES:
            self.fields[name] = forms.BooleanField(
                label=FEATURE_LABELS.get(name, name), required=False, initial=current[name]
            )


class CategoryModeratorForm(BootstrapForm):
    member = forms.CharField(
        label=_("Nom affiché du membre"),
        max_length=60,
        help_text=_("Le membre modérera les sujets de cette catégorie, et d'elle seule."),
        error_messages={"required": _("Indiquez le nom affiché du membre.")},
    )


class CategoryForm(BootstrapForm):
    name = forms.CharField(
        label=_("Nom"), max_length=120, error_messages={"required": _("Indiquez le nom.")}
    )
    slug = forms.SlugField(
        label=_("Identifiant dans l'adresse"),
        max_length=50,
        help_text=_("Lettres minuscules, chiffres et tirets : « retraite », « action-sociale »."),
        error_messages={
            "required": _("Indiquez l'identifiant."),
            "invalid": _("L'identifiant ne contient que des lettres, chiffres et tirets."),
        },
    )
    description = forms.CharField(label=_("Description"), max_length=400, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=CategoryKind.choices)
    read_access = forms.ChoiceField(label=_("Qui peut lire"), choices=Access.choices)
    post_access = forms.ChoiceField(
        label=_("Qui peut publier"),
        choices=[c for c in Access.choices if c[0] != Access.PUBLIC],
    )
    position = forms.IntegerField(
        label=_("Ordre"),
        min_value=0,
        max_value=10_000,
        initial=0,
        error_messages={"invalid": _("L'ordre est un nombre entier.")},
    )


class TrustForm(BootstrapForm):
    """One field per level (1 to 3) and criterion: ``level2_posts_read``."""

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = community.thresholds() if community is not None else {}
        for level in (1, 2, 3):
            for rule in TRUST_RULES:
                self.fields[f"level{level}_{rule}"] = forms.IntegerField(
                    label=_("Niveau %(level)d — %(rule)s")
                    % {"level": level, "rule": TRUST_LABELS[rule]},
                    min_value=0,
                    max_value=100_000,
                    required=False,
                    initial=current.get(level, {}).get(rule),
                    error_messages={
                        "invalid": _("Indiquez un nombre entier."),
                        "min_value": _("Le nombre ne peut pas être négatif."),
                        "max_value": _("Le nombre ne peut pas dépasser 100 000."),
                    },
                )

    def thresholds(self) -> dict[str, dict[str, int]]:
        return {
            str(level): {
                rule: self.cleaned_data[f"level{level}_{rule}"]
                for rule in TRUST_RULES
                if self.cleaned_data.get(f"level{level}_{rule}") is not None
            }
            for level in (1, 2, 3)
        }


class BannedWordForm(BootstrapForm):
    word = forms.CharField(
        label=_("Mot ou expression"),
        max_length=100,
        help_text=_("Une étoile finale vise tous les mots qui commencent ainsi : « arnaq* »."),
        error_messages={"required": _("Indiquez le mot ou l'expression.")},
    )
    action = forms.ChoiceField(label=_("Action"), choices=WordAction.choices)
    replacement = forms.CharField(
        label=_("Texte de remplacement ou lien"),
        max_length=300,
        required=False,
        help_text=_("Pour « Remplacer » et « Transformer en lien » seulement."),
    )

    def clean(self):
        data = super().clean()
        word, action = data.get("word"), data.get("action")
        if word and action:
            replacement = (data.get("replacement") or "").strip()
            spec = f"{action}:{replacement}" if action in ("replace", "link") else action
            try:
                make_entry(word, spec)
            except WordListError as error:
                raise ValidationError(_("Entrée refusée : %(why)s") % {"why": error}) from None
        return data


class WordsImportForm(BootstrapForm):
    text = forms.CharField(
        label=_("Liste à ajouter (CSV : mot,action)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Une entrée par ligne, par exemple « arnaque,flag » ou « zut,replace:flûte »."),
        error_messages={"required": _("Collez la liste à ajouter.")},
    )


class EmbedForm(BootstrapForm):
    origins = forms.CharField(
        label=_("Sites autorisés à intégrer le widget"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Une origine par ligne, par exemple https://www.secu-artistes-auteurs.fr"),
    )

    def clean_origins(self) -> list[str]:
        values = [line for line in self.cleaned_data["origins"].splitlines() if line.strip()]
        errors = []
        for value in values:
            try:
                clean_origin(value)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return values


class AccessibilityForm(BootstrapForm):
    status = forms.ChoiceField(label=_("État de conformité"), choices=STATUS_CHOICES)
    rate = forms.DecimalField(
        label=_("Taux de critères RGAA respectés (%)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        required=False,
        localize=True,
        error_messages={"invalid": _("Indiquez un pourcentage, par exemple 87,5.")},
    )
    audit_date = forms.DateField(label=_("Date de l'audit"), required=False, widget=DateInput())
    auditor = forms.CharField(label=_("Audit réalisé par"), max_length=200, required=False)
    statement_date = forms.DateField(
        label=_("Déclaration établie le"), required=False, widget=DateInput()
    )
    non_compliant = forms.CharField(
        label=_("Non-conformités"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    derogations = forms.CharField(
        label=_("Dérogations pour charge disproportionnée"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    out_of_scope = forms.CharField(
        label=_("Contenus non soumis à l'obligation d'accessibilité"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    pages = forms.CharField(
        label=_("Pages ayant fait l'objet de la vérification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    environment = forms.CharField(
        label=_("Environnement de test (navigateurs, technologies d'assistance)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    contact_email = forms.EmailField(
        label=_("Adresse électronique de contact"),
        required=False,
        error_messages={"invalid": _("Adresse électronique invalide.")},
    )
    contact_url = forms.URLField(
        label=_("Formulaire de contact (lien)"),
        assume_scheme="https",
        required=False,
        error_messages={"invalid": _("Lien invalide (https://…).")},
    )
    contact_address = forms.CharField(
        label=_("Adresse postale"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    schema_url = forms.URLField(
        label=_("Schéma pluriannuel de mise en accessibilité (lien)"),
        assume_scheme="https",
        required=False,
        error_messages={"invalid": _("Lien invalide (https://…).")},
    )

    def clean(self):
        data = super().clean()
        if data.get("status") in ("partiel", "total") and not data.get("audit_date"):
            self.add_error(
                "audit_date",
                _("Une conformité partielle ou totale suppose un audit : indiquez sa date."),
            )
        if data.get("rate") is not None:
            data["rate"] = str(data["rate"])
        return data
