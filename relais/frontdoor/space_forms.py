"""Forms of the referents' shared space: offers, links to offers, the survey."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm


class OfferForm(BootstrapForm):
    body = forms.ChoiceField(label=_("Organisme"))
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    summary = forms.CharField(
        label=_("Présentation"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    audience = forms.CharField(label=_("Public concerné"), max_length=200, required=False)
    url = forms.URLField(
        label=_("Page de l'offre"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Saisissez une adresse web complète (https://…).")},
    )
    brochure = forms.FileField(
        label=_("Brochure (PDF, 10 Mo au plus)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    active = forms.BooleanField(label=_("Proposée aux référents"), required=False, initial=True)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(body.code, body.name) for body in bodies]


class OfferLinkForm(BootstrapForm):
    offer = forms.ChoiceField(label=_("Offre de service à lier"))

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [
            (str(offer.public_id), f"{offer.body.code} — {offer.title}") for offer in offers
        ]


class SurveyForm(BootstrapForm):
    score = forms.TypedChoiceField(
        label=_("Votre note"),
        coerce=int,
        choices=[
            (5, _("5 — Très satisfait")),
            (4, _("4 — Satisfait")),
            (3, _("3 — Moyennement satisfait")),
            (2, _("2 — Peu satisfait")),
            (1, _("1 — Pas du tout satisfait")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une note de 1 à 5.")},
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
