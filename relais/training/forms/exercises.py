"""A trainer writes an exercise with a form and a formset of checks: no JSON to type."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.training import grading, sales_grading
from relais.training.checks import check_type, check_types


def _field_choices():
    groups = [("", _("— aucune condition —"))]
    for name, entity in grading.ENTITIES.items():
        groups.append(
            (
                entity.label,
                [(f"{name}:{field}", label) for field, (label, _kind) in entity.fields.items()],
            )
        )
    return groups


class ExerciseForm(BootstrapForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    category = forms.CharField(label=_("Thème"), max_length=50, required=False)
    target_kind = forms.ChoiceField(
        label=_("Cible tirée dans la base de chaque apprenant"),
        choices=lambda: [("", _("Aucune cible")), *grading.target_kinds().items()],
        required=False,
        help_text=_("Dans la consigne, {cible} est remplacé par le nom de la fiche tirée."),
    )
    instructions = forms.CharField(
        label=_("Consigne"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("{cible} : la fiche de l'apprenant ; {depuis} : le jour où il a commencé."),
    )


def _kind_choices():
    return [(kind.name, kind.label) for kind in check_types()]


def _rule_choices():
    """Every rule of every type that has rules, grouped by type: "<type>:<rule>"."""
    groups = [("", "—")]
    for kind in check_types():
        rules = getattr(kind, "rules", None)
        if rules:
            groups.append(
                (kind.label, [(f"{kind.name}:{rule}", label) for rule, label in rules.items()])
            )
    return groups


class CheckForm(BootstrapForm):
    """One check of any registered type; each type reads the fields it names
    (``CheckType.form_fields``) and ignores the others."""

    kind = forms.ChoiceField(
        label=_("Type de vérification"), choices=_kind_choices, initial="count"
    )
    entity = forms.ChoiceField(
        label=_("Élément compté"),
        choices=[("", "—")] + [(k, e.label) for k, e in grading.ENTITIES.items()],
        required=False,
    )
    field = forms.ChoiceField(label=_("Champ"), choices=_field_choices, required=False)
    op = forms.ChoiceField(
        label=_("Opérateur"),
        choices=list(grading.OPERATORS.items()),
        required=False,
        initial="exact",
    )
    value = forms.CharField(label=_("Valeur"), max_length=200, required=False)
    field2 = forms.ChoiceField(label=_("Second champ"), choices=_field_choices, required=False)
    op2 = forms.ChoiceField(
        label=_("Second opérateur"),
        choices=list(grading.OPERATORS.items()),
        required=False,
        initial="exact",
    )
    value2 = forms.CharField(label=_("Seconde valeur"), max_length=200, required=False)
    scope_target = forms.BooleanField(label=_("Seulement sur la fiche cible"), required=False)
    since = forms.BooleanField(
        label=_("Créé ou modifié depuis le début de l'exercice"), required=False
    )
    min_count = forms.IntegerField(
        label=_("Nombre minimal"), min_value=0, initial=1, required=False
    )
    max_count = forms.IntegerField(label=_("Nombre maximal"), min_value=0, required=False)
    compute = forms.ChoiceField(
        label=_("Réponse attendue"),
        choices=[("", "—")] + list(grading.ANSWERS.items()),
        required=False,
    )
    rule = forms.ChoiceField(
        label=_("Règle (segment, campagne, fusions)"), choices=_rule_choices, required=False
    )
    sales_target = forms.ChoiceField(
        label=_("Cible attendue (segment, campagne)"),
        choices=[("", "—")]
        + [(key, rule["label"]) for key, rule in sales_grading.TARGET_RULES.items()],
        required=False,
    )
    segment_name = forms.CharField(
        label=_("Nom du segment attendu"), max_length=120, required=False
    )
    channel = forms.ChoiceField(
        label=_("Canal de la campagne"),
        choices=[("", "—"), *sales_grading.CHANNEL_LABELS.items()],
        required=False,
    )
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100, initial=1)
    label = forms.CharField(label=_("Libellé"), max_length=200)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        kind = check_type(data.get("kind"))
        if kind.form_required:
            field, message = kind.form_required
            if not data.get(field):
                self.add_error(field, message)
                return data
        if "entity" in kind.form_fields:
            self._check_fields_belong_to_entity(data)
        if self.errors:
            return data
        try:
            grading.validate_check(self.to_check(data))
        except grading.CheckError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    def _check_fields_belong_to_entity(self, data) -> None:
        for field_key in ("field", "field2"):
            choice = data.get(field_key)
            if choice and choice.split(":", 1)[0] != data["entity"]:
                self.add_error(
                    field_key,
                    _("Ce champ n'appartient pas à l'élément « %(e)s ».")
                    % {"e": grading.ENTITIES[data["entity"]].label},
                )

    @staticmethod
    def to_check(data) -> dict:
        """The raw check (the grading language) from the form's cleaned data."""
        check = {"type": data["kind"], "points": data["points"], "label": data["label"]}
        check.update(check_type(data["kind"]).from_form(data))
        return check

    @staticmethod
    def initial_from(check: dict) -> dict:
        """The form's initial data for a stored check."""
        kind = check.get("type", "count")
        initial = {"kind": kind, "points": check.get("points", 1), "label": check.get("label", "")}
        initial.update(check_type(kind).form_initial(check))
        return initial


CheckFormSet = forms.formset_factory(
    CheckForm,
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
    max_num=grading.MAX_CHECKS,
    validate_max=True,
)


def checks_from_formset(formset) -> list[dict]:
    return [
        CheckForm.to_check(form.cleaned_data)
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
