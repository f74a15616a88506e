"""Forms of the front door. Every message in French; bodies are named by their code."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from relais.core.contacts.validators import (
    normalize_naf,
    normalize_phone,
    validate_siret,
)
from relais.core.forms import BootstrapForm
from relais.frontdoor.models import Priority, RequestChannel, RequesterRole, Visibility

TEXT_MAX = 10_000


def _body_choices(bodies) -> list[tuple[str, str]]:
    return [(body.code, body.name) for body in bodies]


class RequesterFields(BootstrapForm):
    """Who asks: the company (SIRET checked by its key) and the person."""

    requester_role = forms.ChoiceField(
        label=_("Vous êtes"), choices=RequesterRole.choices, initial=RequesterRole.EMPLOYER
    )
    legal_name = forms.CharField(label=_("Raison sociale de l'entreprise"), max_length=200)
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        required=False,
        help_text=_("14 chiffres, sur vos factures ou l'avis de situation Insee."),
    )
    naf_code = forms.CharField(
        label=_("Code NAF (APE)"), max_length=6, required=False, help_text=_("Par exemple 43.22A.")
    )
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        error_messages={
            "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
        },
    )
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)

    def clean_siret(self) -> str:
        siret = "".join(self.cleaned_data["siret"].split())
        if siret:
            validate_siret(siret)
        return siret

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""

    def clean_naf_code(self) -> str:
        value = self.cleaned_data["naf_code"].strip()
        return normalize_naf(value) if value else ""

    def company(self) -> dict:
        data = self.cleaned_data
        return {
            "legal_name": data["legal_name"],
            "siret": data["siret"],
            "naf_code": data["naf_code"],
        }

    def person(self) -> dict:
        data = self.cleaned_data
        return {
            "last_name": data["last_name"],
            "first_name": data["first_name"],
            "email": data["email"],
            "phone_mobile"
            if data["phone"].strip().startswith(("06", "07", "+336", "+337"))
            else "phone_landline": data["phone"],
        }


class AskForm(RequesterFields):
    """« Poser une question »: the public form, identical on every body's site."""

    subject = forms.CharField(label=_("Objet de votre question"), max_length=200)
    text = forms.CharField(
        label=_("Votre question"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Décrivez votre situation : inutile de savoir quel organisme est compétent."),
    )
    critical = forms.BooleanField(
        label=_(
            "Situation urgente : accident du travail grave ou mortel, salaires impayables, "
            "saisie, cessation de paiements, détresse"
        ),
        required=False,
    )
    site = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    # The honeypot: hidden from people (and from assistive technologies), filled by robots.
    website = forms.CharField(
        label=_("Ne pas remplir ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise ValidationError(_("Votre envoi n'a pas pu être accepté."))
        return ""


class IntakeForm(RequesterFields):
    """A request received by phone, at the counter or by letter, entered by an agent."""

    channel = forms.ChoiceField(
        label=_("Canal"),
        choices=[
            (RequestChannel.PHONE, RequestChannel.PHONE.label),
            (RequestChannel.COUNTER, RequestChannel.COUNTER.label),
            (RequestChannel.LETTER, RequestChannel.LETTER.label),
        ],
    )
    body = forms.ChoiceField(label=_("Organisme qui a reçu la demande"))
    subject = forms.CharField(label=_("Objet"), max_length=200)
    text = forms.CharField(
        label=_("Expression de besoin"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    priority = forms.ChoiceField(label=_("Priorité"), choices=Priority.choices)
    critical = forms.BooleanField(label=_("Événement critique"), required=False)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = _body_choices(bodies)
        self.fields["email"].required = False

    def submit_fields(self, bodies: dict) -> dict:
        """``request_submit``'s arguments from the cleaned form (``bodies`` by code)."""
        data = self.cleaned_data
        body = bodies[data["body"]]
        return {
            "network": body.network,
            "first_body": body,
            "subject": data["subject"],
            "text": data["text"],
            "company": self.company(),
            "person": self.person(),
            "requester_role": data["requester_role"],
            "critical": data["critical"],
            "priority": data["priority"],
        }


class TrackingForm(BootstrapForm):
    tracking_code = forms.CharField(
        label=_("Code de suivi"), max_length=20, help_text=_("Par exemple GU-7KQ2-M4XP.")
    )
    email = forms.EmailField(label=_("Adresse e-mail donnée avec la demande"))


class AssignForm(BootstrapForm):
    bodies = forms.MultipleChoiceField(
        label=_("Organismes compétents"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un organisme.")},
    )
    note = forms.CharField(label=_("Note d'orientation"), required=False, max_length=2000)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bodies"].choices = _body_choices(bodies)
        self.fields["bodies"].widget.attrs["class"] = "form-check-input"


class BodyActionForm(BootstrapForm):
    """Accept: the body acting (one of the user's)."""

    body = forms.ChoiceField(label=_("Organisme"))

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = _body_choices(bodies)


class RefuseForm(BodyActionForm):
    reason = forms.CharField(
        label=_("Motif du « pas pour moi »"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TransferForm(BodyActionForm):
    to_body = forms.ChoiceField(label=_("Transmettre à"))
    reason = forms.CharField(
        label=_("Motif de la transmission"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_body"].choices = _body_choices(targets)


class MessageForm(BootstrapForm):
    text = forms.CharField(
        label=_("Message"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Visibilité"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )


class AnswerForm(BodyActionForm):
    text = forms.CharField(
        label=_("Réponse au demandeur"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    joint = forms.MultipleChoiceField(
        label=_("Réponse commune avec"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Une réponse commune est d'abord un projet : elle part quand chaque organisme "
            "co-signataire l'a approuvée."
        ),
    )
    channel = forms.ChoiceField(label=_("Canal de réponse"), choices=RequestChannel.choices)

    def __init__(self, *args, joint=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["joint"].choices = _body_choices(joint)
        self.fields["joint"].widget.attrs["class"] = "form-check-input"


class JointDecisionForm(BootstrapForm):
    """A co-signing body's decision on a joint answer: approve, or ask for a change."""

    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("approve", _("J'approuve")), ("changes", _("Je demande une modification"))],
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class JointEditForm(BootstrapForm):
    """The drafting body's new version of a joint answer."""

    text = forms.CharField(
        label=_("Réponse au demandeur"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    channel = forms.ChoiceField(label=_("Canal de réponse"), choices=RequestChannel.choices)


class AcknowledgeForm(BootstrapForm):
    """The acknowledgement of receipt given by phone, at the counter or printed: no field."""


class WaitingForm(BootstrapForm):
    """Toggle « en attente du demandeur » (a document asked for); no field to fill."""

    waiting = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CloseForm(BootstrapForm):
    note = forms.CharField(label=_("Note de clôture"), required=False, max_length=2000)


class ListFilterForm(forms.Form):
    etat = forms.ChoiceField(label=_("État"), required=False)
    q = forms.CharField(label=_("Code de suivi ou objet"), required=False, max_length=100)
    mine = forms.BooleanField(label=_("Seulement celles que mon organisme détient"), required=False)

    def __init__(self, *args, **kwargs):
        from relais.frontdoor.models import RequestState

        super().__init__(*args, **kwargs)
        self.fields["etat"].choices = [
            ("", _("Tous")),
            ("open", _("Ouvertes")),
            *RequestState.choices,
        ]
        self.fields["etat"].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs["class"] = "form-control"
        self.fields["mine"].widget.attrs["class"] = "form-check-input"


class BoardFilterForm(forms.Form):
    etat = forms.ChoiceField(
        label=_("Colonne"),
        required=False,
        choices=[
            ("", _("Toutes les demandes ouvertes")),
            ("due_soon", _("Bientôt dues")),
            ("overdue", _("En retard")),
            ("unassigned", _("Non réparties")),
            ("waiting", _("En attente du demandeur")),
        ],
    )
    niveau = forms.ChoiceField(
        label=_("Priorité"), required=False, choices=[("", _("Toutes")), *Priority.choices]
    )
    vue = forms.ChoiceField(label=_("Organisme"), required=False)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vue"].choices = [("", _("Tous")), *_body_choices(bodies)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


# --- files, scanned letters and answer templates ------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); a list once cleaned."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def read_files(files) -> list[tuple[str, bytes]]:
    """The uploaded files as (name, bytes), refusing too many or too large ones before
    reading them (the service checks types and contents)."""
    from relais.frontdoor.services.attachments import clean_filename, too_large, too_many_files

    errors = [too_many_files(len(files))]
    errors += [too_large(clean_filename(upload.name), upload.size) for upload in files]
    errors = [error for error in errors if error is not None]
    if errors:
        raise ValidationError(errors)
    return [(upload.name, upload.read()) for upload in files]


class MessageFilesForm(MessageForm):
    """A post in the shared space, with files (the same limits as e-mail attachments)."""

    files = MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        help_text=_("PDF, images, textes, tableurs ou documents ; 10 Mo au plus par fichier."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False

    def clean_files(self):
        return read_files(self.cleaned_data.get("files") or [])

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("files"):
            raise ValidationError(_("Écrivez un message ou joignez un fichier."))
        return data


class LetterUploadForm(BootstrapForm):
    pdf = forms.FileField(
        label=_("Courrier numérisé (PDF)"),
        help_text=_("Le texte du courrier est lu dans le PDF ; vous le vérifiez ensuite."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("Choisissez le PDF du courrier.")},
    )

    def clean_pdf(self):
        [(name, data)] = read_files([self.cleaned_data["pdf"]])
        return name, data


class LetterIntakeForm(IntakeForm):
    """The request a scanned letter holds: its channel is the letter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["channel"]


class AnswerTemplateForm(BootstrapForm):
    body = forms.ChoiceField(label=_("Organisme"))
    name = forms.CharField(label=_("Nom du modèle"), max_length=120)
    text = forms.CharField(
        label=_("Texte"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 10})
    )
    active = forms.BooleanField(label=_("Proposé aux référents"), required=False, initial=True)

    def __init__(self, *args, bodies=(), **kwargs):
        from relais.frontdoor.services.answer_templates import fields_help

        super().__init__(*args, **kwargs)
        self.fields["body"].choices = _body_choices(bodies)
        self.fields["text"].help_text = _("Champs de fusion : %(fields)s.") % {
            "fields": fields_help()
        }
