"""Forms of members' accounts and of sanctions (French labels and errors; the services
validate again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.community.models import ArtisticBranch, Sanction
from relais.core.forms import BootstrapForm
from relais.core.notifications.models import EmailFrequency

BRANCH_CHOICES = [("", _("Je préfère ne pas le dire"))] + list(ArtisticBranch.choices)
REQUIRED = {"required": _("Ce champ est obligatoire.")}


class SignupForm(BootstrapForm):
    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=60,
        help_text=_("Public, différent de votre nom civil (qui reste privé)."),
        error_messages=REQUIRED,
    )
    first_name = forms.CharField(label=_("Prénom (privé)"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom (privé)"), max_length=100, required=False)
    email = forms.CharField(
        label=_("Adresse e-mail"),
        max_length=254,
        help_text=_(
            "Elle sert d'identifiant de connexion ; un lien de confirmation y sera envoyé."
        ),
        error_messages=REQUIRED,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages=REQUIRED,
        help_text=_("Au moins 8 caractères, pas uniquement des chiffres, pas trop courant."),
    )
    branch = forms.ChoiceField(
        label=_("Branche artistique"), choices=BRANCH_CHOICES, required=False
    )
    accept_charter = forms.BooleanField(
        label=_("J'ai lu et j'accepte la charte de la communauté"), required=False
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled by robots.
    website = forms.CharField(label=_("Ne pas remplir"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update(
            {"autocomplete": "off", "tabindex": "-1", "class": ""}
        )


class EmailForm(BootstrapForm):
    email = forms.CharField(
        label=_("Adresse e-mail"),
        max_length=254,
        error_messages=REQUIRED,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewPasswordForm(BootstrapForm):
    new_password1 = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages=REQUIRED,
    )
    new_password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages=REQUIRED,
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("Les deux mots de passe ne correspondent pas."))
        return data


class ProfileForm(BootstrapForm):
    display_name = forms.CharField(label=_("Nom affiché"), max_length=60, error_messages=REQUIRED)
    branch = forms.ChoiceField(
        label=_("Branche artistique"), choices=BRANCH_CHOICES, required=False
    )
    notify_in_app = forms.BooleanField(
        label=_("Recevoir les notifications du forum dans l'application"), required=False
    )
    email_frequency = forms.ChoiceField(
        label=_("E-mails de notification"), choices=EmailFrequency.choices
    )
    email_consent = forms.BooleanField(
        label=_("J'accepte de recevoir des informations de l'organisme par e-mail"),
        required=False,
    )


class AvatarForm(BootstrapForm):
    avatar = forms.FileField(
        label=_("Image (JPEG, PNG, WebP ou GIF, 2 Mo au plus)"),
        error_messages={"required": _("Choisissez une image.")},
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )


class DeleteAccountForm(BootstrapForm):
    erase_posts = forms.BooleanField(
        label=_(
            "Effacer aussi le texte de mes messages (sinon ils restent, signés « Membre supprimé »)"
        ),
        required=False,
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages=REQUIRED,
    )
    confirm = forms.CharField(
        label=_("Tapez SUPPRIMER pour confirmer"), max_length=20, error_messages=REQUIRED
    )


DURATION_CHOICES = [
    ("auto", _("Durée progressive (selon les sanctions précédentes)")),
    ("1", _("1 jour")),
    ("7", _("7 jours")),
    ("30", _("30 jours")),
    ("permanent", _("Définitive")),
]


class SanctionForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("Mesure"),
        choices=Sanction.Kind.choices,
        error_messages={
            "required": _("Choisissez une mesure."),
            "invalid_choice": _("Choisissez une mesure de la liste."),
        },
    )
    duration = forms.ChoiceField(label=_("Durée"), choices=DURATION_CHOICES, initial="auto")
    reason = forms.CharField(
        label=_("Motif (communiqué au membre)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif : il sera communiqué au membre.")},
    )

    def days(self):
        value = self.cleaned_data["duration"]
        return {"auto": "auto", "permanent": None}.get(
            value, int(value) if value.isdigit() else "auto"
        )


class LiftForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Motif de la levée (communiqué au membre)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif de la levée.")},
    )
    mistaken = forms.BooleanField(
        label=_("Sanction prise par erreur (ne compte plus dans la progression)"), required=False
    )


class MemberSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
