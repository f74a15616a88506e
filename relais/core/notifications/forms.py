from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.notifications.models import EmailFrequency


class NotificationPreferenceForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=_("Recevoir les notifications par e-mail"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
    )
