"""The community's forms (French labels and errors; the services validate again)."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from relais.community.models import ArtisticBranch, Flag, Topic
from relais.core.forms import BootstrapForm, DateInput

BODY_HELP = _("Markdown : **gras**, *italique*, listes, liens. Le HTML n'est pas interprété.")


class JoinForm(BootstrapForm):
    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=60,
        help_text=_("Public, différent de votre nom civil (qui reste privé)."),
    )
    branch = forms.ChoiceField(
        label=_("Branche artistique"),
        choices=[("", _("Je préfère ne pas le dire"))] + list(ArtisticBranch.choices),
        required=False,
    )
    accept_charter = forms.BooleanField(
        label=_("J'ai lu et j'accepte la charte de la communauté"),
        required=False,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks their type, size and number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


ATTACHMENTS_HELP = _(
    "Facultatif. Images (JPEG, PNG, GIF, WebP), PDF ou textes ; les limites de la communauté "
    "s'appliquent."
)


def attachments_field():
    return MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        help_text=ATTACHMENTS_HELP,
        error_messages={"invalid": _("Ce fichier n'a pas pu être lu.")},
    )


class TopicForm(BootstrapForm):
    category = forms.ChoiceField(label=_("Catégorie"))
    kind = forms.ChoiceField(
        label=_("Type de sujet"),
        choices=Topic.Kind.choices,
        initial=Topic.Kind.QUESTION,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Titre"),
        max_length=200,
        help_text=_("Une question précise, de 10 à 200 caractères."),
        error_messages={
            "required": _("Indiquez le titre de votre question."),
            "max_length": _("Le titre ne doit pas dépasser 200 caractères."),
        },
    )
    body = forms.CharField(
        label=_("Votre message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
        error_messages={"required": _("Écrivez votre message.")},
    )
    tags = forms.CharField(
        label=_("Étiquettes"),
        max_length=300,
        required=False,
        help_text=_("Facultatif, séparées par des virgules."),
    )
    attachments = attachments_field()

    def __init__(self, *args, categories=(), tag_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choisissez…"))] + [
            (c.slug, c.name) for c in categories
        ]
        self.fields["category"].error_messages["required"] = _("Choisissez une catégorie.")
        self.fields["category"].error_messages["invalid_choice"] = _(
            "Choisissez une catégorie de la liste."
        )
        self.fields["kind"].widget.attrs.pop("class", None)
        if tag_names:
            self.fields["tags"].help_text = _(
                "Facultatif, séparées par des virgules. Étiquettes existantes : %(tags)s."
            ) % {"tags": ", ".join(tag_names)}
        # While the title is typed, similar questions appear under it (HTMX; optional).
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("community:similar"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#similar-questions",
                "hx-vals": 'js:{"q": event.target.value}',
                "autocomplete": "off",
            }
        )


class ReplyForm(BootstrapForm):
    body = forms.CharField(
        label=_("Votre réponse"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=BODY_HELP,
        error_messages={"required": _("Écrivez votre réponse.")},
    )
    attachments = attachments_field()


class EditForm(BootstrapForm):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
        error_messages={"required": _("Écrivez votre message.")},
    )
    reason = forms.CharField(label=_("Motif de la modification"), max_length=300, required=False)


class _OfficialMeta(BootstrapForm):
    service_name = forms.CharField(
        label=_("Service de l'organisme"),
        max_length=120,
        error_messages={"required": _("Indiquez le service qui signe la réponse.")},
    )
    source_text = forms.CharField(
        label=_("Source ou référence réglementaire"), max_length=300, required=False
    )
    source_url = forms.URLField(
        label=_("Lien vers la source"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Indiquez un lien valide, par exemple https://…")},
    )
    review_date = forms.DateField(
        label=_("À revoir le"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Indiquez une date valide.")},
    )


class ValidateForm(_OfficialMeta):
    pass


class OfficialAnswerForm(_OfficialMeta):
    body = forms.CharField(
        label=_("Réponse de l'organisme"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
        error_messages={"required": _("Écrivez la réponse.")},
    )
    field_order = ["body", "service_name", "source_text", "source_url", "review_date"]


class FlagForm(BootstrapForm):
    reason = forms.ChoiceField(
        label=_("Motif"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le motif du signalement.")},
    )
    text = forms.CharField(
        label=_("Précisions"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour « Autre motif »."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs.pop("class", None)


class DecideForm(BootstrapForm):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            ("agree", _("Confirmer")),
            ("disagree", _("Rejeter")),
            ("defer", _("Classer sans suite")),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReasonForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=300,
        error_messages={"required": _("Indiquez le motif.")},
    )


class MoveForm(ReasonForm):
    category = forms.ChoiceField(label=_("Nouvelle catégorie"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.slug, c.name) for c in categories]


class SearchForm(BootstrapForm):
    q = forms.CharField(label=_("Rechercher dans la communauté"), max_length=256, required=False)


class SearchFilterForm(SearchForm):
    """The search page's own form: the words and, optionally, one category the user reads."""

    categorie = forms.ChoiceField(label=_("Catégorie"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Mots recherchés")
        self.fields["categorie"].choices = [("", _("Toutes les catégories"))] + [
            (c.slug, c.name) for c in categories
        ]
        self.fields["categorie"].error_messages["invalid_choice"] = _(
            "Choisissez une catégorie de la liste."
        )


class MergeForm(ReasonForm):
    target = forms.CharField(
        label=_("Sujet de destination"),
        max_length=300,
        help_text=_("L'adresse du sujet qui garde les réponses, ou son identifiant."),
        error_messages={"required": _("Indiquez le sujet de destination.")},
    )
    field_order = ["target", "reason"]


class TagForm(BootstrapForm):
    name = forms.CharField(
        label=_("Nouvelle étiquette"),
        max_length=40,
        error_messages={"required": _("Indiquez le nom de l'étiquette.")},
    )


class DigestForm(BootstrapForm):
    digest_frequency = forms.ChoiceField(
        label=_("Résumé par e-mail des sujets et catégories que je suis"),
        choices=[
            ("never", _("Jamais")),
            ("daily", _("Chaque jour")),
            ("weekly", _("Chaque semaine (le lundi)")),
        ],
        error_messages={"invalid_choice": _("Choisissez une fréquence de la liste.")},
    )


class ContentRulesForm(BootstrapForm):
    """The community's attachment and tag rules (back office); the model validates again."""

    attachment_extensions = forms.CharField(
        label=_("Types de fichiers acceptés"),
        max_length=300,
        required=False,
        help_text=_(
            "Extensions séparées par des virgules (ex. jpg, png, pdf) ; vide : images, PDF et "
            "textes. SVG et HTML sont toujours refusés."
        ),
    )
    attachment_max_mb = forms.IntegerField(
        label=_("Taille maximale d'un fichier (Mo)"), min_value=1, max_value=50
    )
    attachments_per_post = forms.IntegerField(
        label=_("Fichiers par message au plus"), min_value=0, max_value=10
    )
    attachment_min_level = forms.IntegerField(
        label=_("Niveau de confiance requis pour joindre un fichier"), min_value=0, max_value=4
    )
    image_min_level = forms.IntegerField(
        label=_("Niveau de confiance requis pour joindre une image"), min_value=0, max_value=4
    )
    link_min_level = forms.IntegerField(
        label=_("Niveau de confiance requis pour publier un lien vers un autre site"),
        min_value=0,
        max_value=4,
        help_text=_("0 : tout membre peut publier des liens."),
    )
    wiki_min_level = forms.IntegerField(
        label=_("Niveau de confiance requis pour faire de son message un wiki"),
        min_value=0,
        max_value=4,
        help_text=_("Les modérateurs peuvent toujours le faire, sur tout message."),
    )
    wiki_edit_min_level = forms.IntegerField(
        label=_("Niveau de confiance requis pour modifier un message wiki"),
        min_value=0,
        max_value=4,
        help_text=_("Chaque modification est gardée dans l'historique du message."),
    )
    tag_mode = forms.ChoiceField(
        label=_("Étiquettes"),
        choices=[
            ("staff", _("Liste gérée par l'équipe")),
            ("free", _("Libre à partir d'un niveau de confiance")),
        ],
    )
    free_tag_min_level = forms.IntegerField(
        label=_("Niveau requis pour créer une étiquette (mode libre)"), min_value=0, max_value=4
    )
    tags_per_topic = forms.IntegerField(
        label=_("Étiquettes par sujet au plus"), min_value=1, max_value=10
    )

    def clean_attachment_extensions(self):
        text = self.cleaned_data["attachment_extensions"]
        return [part.strip().lower().lstrip(".") for part in text.split(",") if part.strip()]
