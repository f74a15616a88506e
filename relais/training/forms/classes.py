"""Forms of the class screens: open a class, add a learner."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import users_with_role
from relais.core.forms import BootstrapForm


class ClassForm(BootstrapForm):
    name = forms.CharField(label=_("Nom de la session"), max_length=200)
    template = forms.ModelChoiceField(
        label=_("Base école"),
        queryset=None,
        empty_label=None,
        help_text=_("Chaque apprenant reçoit une copie de cette base."),
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class LearnerAddForm(BootstrapForm):
    """Either an existing learner account of the organization, or a new one."""

    learner = forms.ModelChoiceField(
        label=_("Apprenant existant"),
        queryset=None,
        required=False,
        empty_label=_("— Créer un nouveau compte —"),
    )
    username = forms.CharField(
        label=_("Identifiant de connexion"),
        max_length=150,
        required=False,
        help_text=_("Pour un nouveau compte : lettres, chiffres et @ . + - _"),
    )
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args, training_class, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = (
            users_with_role(organization=training_class.organization_id, role=Role.LEARNER)
            .exclude(enrollments__training_class=training_class)
            .order_by("last_name", "first_name", "username")
        )

    def clean(self):
        data = super().clean()
        if not data.get("learner") and not (data.get("username") or "").strip():
            raise ValidationError(
                _("Choisissez un apprenant existant ou donnez l'identifiant du nouveau compte.")
            )
        return data
