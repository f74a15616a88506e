"""Agenda forms: the appointment form (with its repetition), the move of a dragged event, the
zone and period of the calendar's feed."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm, DateInput, DateTimeInput
from relais.crm.agenda import holidays as hol
from relais.crm.agenda.services import (
    MAX_COUNT,
    MAX_INTERVAL,
    MAX_YEAR,
    MIN_YEAR,
    OCCURRENCE,
    SERIES,
)
from relais.crm.models import Customer, Recurrence

# Longest period the events feed answers for (a year view and a little more).
MAX_FEED_DAYS = 400


class CustomerPublicIdField(forms.ModelChoiceField):
    """A customer of the workspace named by its public id (never a pk)."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Customer.objects.none(),
            to_field_name="public_id",
            error_messages={"invalid_choice": _("Ce client est introuvable.")},
            **kwargs,
        )

    def label_from_instance(self, obj) -> str:
        return obj.display_name


class AppointmentForm(BootstrapForm):
    title = forms.CharField(label=_("Objet"), max_length=200)
    customer = CustomerPublicIdField(
        label=_("Client"),
        required=False,
        widget=forms.HiddenInput,
    )
    all_day = forms.BooleanField(label=_("Toute la journée"), required=False)
    starts_at = forms.DateTimeField(
        label=_("Début"),
        widget=DateTimeInput(),
        error_messages={"invalid": _("Saisissez une date et une heure valides.")},
    )
    ends_at = forms.DateTimeField(
        label=_("Fin"),
        widget=DateTimeInput(),
        error_messages={"invalid": _("Saisissez une date et une heure valides.")},
    )
    location = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recurrence = forms.ChoiceField(
        label=_("Répétition"), choices=Recurrence.choices, required=False
    )
    recurrence_interval = forms.IntegerField(
        label=_("Intervalle"),
        min_value=1,
        max_value=MAX_INTERVAL,
        initial=1,
        required=False,
        help_text=_("1 = chaque jour, semaine ou mois ; 2 = un sur deux…"),
    )
    recurrence_until = forms.DateField(
        label=_("Jusqu'au (inclus)"),
        required=False,
        widget=DateInput(),
        help_text=_("Laissez vide pour une répétition sans fin ou limitée en nombre."),
    )
    recurrence_count = forms.IntegerField(
        label=_("Nombre d'occurrences"),
        min_value=1,
        max_value=MAX_COUNT,
        required=False,
        help_text=_("Ou bien une date de fin, pas les deux."),
    )
    scope = forms.ChoiceField(
        label=_("Appliquer la modification à"),
        choices=[(OCCURRENCE, _("Cette occurrence")), (SERIES, _("Toute la série"))],
        widget=forms.RadioSelect,
        required=False,
    )

    groups = [
        (_("Rendez-vous"), ["title", "all_day", "starts_at", "ends_at", "location", "notes"]),
        (
            _("Répétition"),
            ["recurrence", "recurrence_interval", "recurrence_until", "recurrence_count"],
        ),
    ]

    def __init__(self, *args, workspace, with_scope: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.in_workspace(workspace)
        if not with_scope:
            del self.fields["scope"]
        else:
            self.fields["scope"].required = True
            self.fields["scope"].widget.attrs["class"] = "form-check-input"

    def clean_recurrence_interval(self):
        return self.cleaned_data.get("recurrence_interval") or 1

    def clean(self):
        data = super().clean()
        if data.get("recurrence_until") and data.get("recurrence_count"):
            self.add_error(
                "recurrence_count",
                _("Choisissez une date de fin ou un nombre d'occurrences, pas les deux."),
            )
        if not data.get("recurrence") and (
            data.get("recurrence_until") or data.get("recurrence_count")
        ):
            self.add_error("recurrence", _("Choisissez une répétition ou videz ses limites."))
        return data

    def appointment_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "customer": data.get("customer"),
            "all_day": data["all_day"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "location": data["location"],
            "notes": data["notes"],
            "recurrence": data["recurrence"],
            "recurrence_interval": data["recurrence_interval"],
            "recurrence_until": data["recurrence_until"],
            "recurrence_count": data["recurrence_count"],
        }

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.groups]


def parse_moment(value: str) -> datetime.datetime:
    value = (value or "").strip()
    if "T" in value and " " in value:
        value = value.replace(" ", "+")  # an unencoded "+02:00" read from a query string
    if not value:
        raise ValidationError(_("Date manquante."))
    try:
        if len(value) == 10:
            moment = datetime.datetime.combine(
                datetime.date.fromisoformat(value), datetime.time.min
            )
        else:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationError(
            _("« %(value)s » n'est pas une date valide.") % {"value": value[:40]}
        ) from exc
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValidationError(
            _("La date doit être comprise entre %(min)d et %(max)d.")
            % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class MomentField(forms.Field):
    """An ISO 8601 date or date-time as FullCalendar sends it; naive values are local."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value)
        if len(value) > 40:
            raise ValidationError(_("Date trop longue."))
        return parse_moment(value)


class PeriodForm(forms.Form):
    """The period and options of the events feed (``start``/``end`` from FullCalendar)."""

    start = MomentField()
    end = MomentField()
    zone = forms.ChoiceField(choices=hol.ZONE_CHOICES, required=False)
    mine = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end <= start:
                raise ValidationError(_("La fin de la période doit suivre son début."))
            if end - start > datetime.timedelta(days=MAX_FEED_DAYS):
                raise ValidationError(
                    _("La période demandée est trop longue (%(days)d jours au plus).")
                    % {"days": MAX_FEED_DAYS}
                )
        return data


class MoveForm(forms.Form):
    """A dragged or resized occurrence: where it was, where it goes, and for what scope."""

    occurrence = forms.DateField(required=False)
    start = MomentField()
    end = MomentField(required=False)
    all_day = forms.BooleanField(required=False)
    scope = forms.ChoiceField(choices=[(SERIES, SERIES), (OCCURRENCE, OCCURRENCE)], required=False)


class DropForm(forms.Form):
    """A customer dropped on a slot of the calendar."""

    customer = CustomerPublicIdField()
    start = MomentField()
    all_day = forms.BooleanField(required=False)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.in_workspace(workspace)


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher un client"), required=False, max_length=100)
