"""Form of the school-database screen: ask for a new generated base."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.training.services.school import DEFAULT_CUSTOMERS, MAX_CUSTOMERS, MAX_SEED


class SchoolBaseForm(BootstrapForm):
    name = forms.CharField(label=_("Nom de la base école"), max_length=200)
    customers = forms.IntegerField(
        label=_("Nombre de clients"),
        min_value=0,
        max_value=MAX_CUSTOMERS,
        initial=DEFAULT_CUSTOMERS,
        help_text=_("De 0 à 100 000. Une base de 600 clients se crée en quelques secondes."),
    )
    seed = forms.IntegerField(
        label=_("Graine"),
        min_value=0,
        max_value=MAX_SEED,
        initial=1,
        help_text=_("La même graine redonne exactement la même base pour le même jour."),
    )
