"""The activity form: a call, mail, letter, SMS, campaign or appointment, and its follow-up."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.forms import DateInput, DateTimeInput
from relais.crm.forms.customers import ServiceModelForm, UserChoiceField, assignable_users
from relais.crm.models import Activity

ACTIVITY_FIELDS = [
    "kind", "direction", "occurred_at", "subject", "body", "owner", "outcome", "next_follow_up_on",
]  # fmt: skip


class ActivityForm(ServiceModelForm):
    owner = UserChoiceField(label=_("Responsable du contact"), queryset=None, required=False)
    groups = [
        (_("Activité"), ["kind", "direction", "occurred_at", "subject", "body"]),
        (_("Suivi"), ["owner", "outcome", "next_follow_up_on"]),
    ]

    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        widgets = {
            "occurred_at": DateTimeInput(),
            "next_follow_up_on": DateInput(),
            "body": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, workspace, user=None, **kwargs):
        if kwargs.get("instance") is None:
            kwargs.setdefault(
                "initial",
                {
                    "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
                    "owner": user,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(workspace)

    def activity_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACTIVITY_FIELDS}
