"""Forms of the de-duplication screens: queue filters, the merge wizard, bulk cleaning."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.crm.dedup.cleaning import OPERATIONS, PHONE_FORMATS
from relais.crm.dedup.merge import (
    ABSORBED,
    CUSTOMER_CHOICES,
    SURVIVOR,
    default_choices,
    merge_choices_for,
)
from relais.crm.dedup.selectors import LEVELS

SIDES = ("a", "b")


class CandidateFilterForm(forms.Form):
    niveau = forms.ChoiceField(
        label=_("Niveau"),
        required=False,
        choices=[("", _("Tous")), ("surs", _("Doublons sûrs")), ("probables", _("Probables"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    etat = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("À examiner")), ("ecartes", _("Écartés (pas des doublons)"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "level": LEVELS.get(data.get("niveau", ""), ""),
            "status": "dismissed" if data.get("etat") == "ecartes" else "pending",
            "niveau": data.get("niveau", ""),
            "etat": data.get("etat", ""),
        }


def _shown(value) -> str:
    if value in (None, ""):
        return str(_("(vide)"))
    if value is True:
        return str(_("oui"))
    if value is False:
        return str(_("non"))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def group_value(customer, key: str) -> str:
    """What a choice group holds on ``customer``, as the wizard shows it."""
    fields = merge_choices_for(customer.kind)[key][1]
    source = customer if key in CUSTOMER_CHOICES else customer.contact
    if key == "owner":
        return customer.owner.display_name if customer.owner else _shown(None)
    if key == "consents":
        labels = {
            "consent_sms": _("SMS"),
            "consent_phone": _("téléphone"),
            "consent_email": _("e-mail"),
            "consent_mail": _("courrier"),
        }
        given = [str(label) for name, label in labels.items() if getattr(source, name)]
        return ", ".join(given) if given else str(_("aucun"))
    if key == "source":
        return source.get_source_display() or _shown(None)
    parts = []
    for name in fields:
        value = getattr(source, name)
        if value in (None, ""):
            continue
        display = getattr(source, f"get_{name}_display", None)
        parts.append(_shown(display() if display else value))
    return ", ".join(parts) if parts else _shown(None)


class MergeForm(forms.Form):
    """Which record is kept (A or B), and for each field group whose value wins."""

    keep = forms.ChoiceField(
        label=_("Fiche conservée"),
        choices=[("a", _("Fiche A")), ("b", _("Fiche B"))],
        widget=forms.RadioSelect,
        initial="a",
        help_text=_("Elle garde son identifiant ; l'autre fiche lui est rattachée puis supprimée."),
    )

    def __init__(self, *args, customer_a, customer_b, **kwargs):
        super().__init__(*args, **kwargs)
        self.customers = {"a": customer_a, "b": customer_b}
        self.rows = []
        if customer_a.kind != customer_b.kind:
            return  # a person and a company: nothing to choose, the merge is refused
        defaults = default_choices(customer_a, customer_b)
        for key, (label, _fields) in merge_choices_for(customer_a.kind).items():
            values = {side: group_value(c, key) for side, c in self.customers.items()}
            name = f"choice_{key}"
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[
                    ("a", _("Fiche A : %(value)s") % {"value": values["a"]}),
                    ("b", _("Fiche B : %(value)s") % {"value": values["b"]}),
                ],
                widget=forms.RadioSelect,
                initial="a" if defaults[key] == SURVIVOR else "b",
            )
            self.rows.append(
                {
                    "key": key,
                    "name": name,
                    "label": label,
                    "values": values,
                    "same": values["a"] == values["b"],
                }
            )

    def survivor_and_absorbed(self):
        keep = self.cleaned_data["keep"]
        other = "b" if keep == "a" else "a"
        return self.customers[keep], self.customers[other]

    def choices(self) -> dict[str, str]:
        """The service's choices: per group, ``survivor`` or ``absorbed``."""
        keep = self.cleaned_data["keep"]
        return {
            row["key"]: SURVIVOR if self.cleaned_data[row["name"]] == keep else ABSORBED
            for row in self.rows
        }

    def kept_values(self) -> list[dict]:
        return [
            {
                "label": row["label"],
                "value": row["values"][self.cleaned_data[row["name"]]],
                "side": self.cleaned_data[row["name"]].upper(),
            }
            for row in self.rows
        ]


class CleaningForm(forms.Form):
    operations = forms.MultipleChoiceField(
        label=_("Opérations"),
        choices=list(OPERATIONS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une opération de nettoyage.")},
    )
    format_telephone = forms.ChoiceField(
        label=_("Format des téléphones"),
        choices=list(PHONE_FORMATS.items()),
        initial="national",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_format_telephone(self) -> str:
        return self.cleaned_data.get("format_telephone") or "national"
