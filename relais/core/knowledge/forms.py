from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm, BootstrapModelForm, DateInput
from relais.core.knowledge.models import Entry
from relais.core.knowledge.services import EDITABLE_FIELDS


class EntryForm(BootstrapModelForm):
    source_url = forms.URLField(
        label=_("Lien vers la source"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Entry
        fields = [
            "question",
            "answer",
            "answer_format",
            "tags",
            "origin",
            "source_text",
            "source_url",
            "review_date",
        ]
        widgets = {
            "answer": forms.Textarea(attrs={"rows": 10}),
            "review_date": DateInput(),
        }
        help_texts = {
            "answer": _("Markdown : **gras**, listes, liens. Le HTML est affiché tel quel."),
        }

    def entry_data(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self.Meta.fields if name in EDITABLE_FIELDS
        }


class EntryRetractForm(BootstrapForm):
    reason = forms.CharField(label=_("Motif du retrait"), max_length=300)
    archive = forms.BooleanField(
        label=_("Archiver définitivement (sinon l'entrée est suspendue)"), required=False
    )


class EntrySearchForm(BootstrapForm):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=256)
    statut = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", _("Tous les statuts"))] + list(Entry.Status.choices),
    )
