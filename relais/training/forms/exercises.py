"""A trainer writes an exercise with a form and a formset of checks: no JSON to type."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.training import grading


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
        choices=[("", _("Aucune cible"))] + list(grading.TARGET_KINDS.items()),
        required=False,
        help_text=_("Dans la consigne, {cible} est remplacé par le nom de la fiche tirée."),
    )
    instructions = forms.CharField(
        label=_("Consigne"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("{cible} : la fiche de l'apprenant ; {depuis} : le jour où il a commencé."),
    )


class CheckForm(BootstrapForm):
    """One check: either a count of records matching up to two conditions, or an answer."""

    kind = forms.ChoiceField(
        label=_("Type de vérification"),
        choices=[("count", _("Des fiches existent")), ("answer", _("Réponse de l'apprenant"))],
        initial="count",
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
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100, initial=1)
    label = forms.CharField(label=_("Libellé"), max_length=200)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("kind") == "answer":
            if not data.get("compute"):
                self.add_error("compute", _("Choisissez la réponse attendue."))
            return data
        if not data.get("entity"):
            self.add_error("entity", _("Choisissez l'élément à compter."))
            return data
        for field_key in ("field", "field2"):
            choice = data.get(field_key)
            if choice and choice.split(":", 1)[0] != data["entity"]:
                self.add_error(
                    field_key,
                    _("Ce champ n'appartient pas à l'élément « %(e)s ».")
                    % {"e": grading.ENTITIES[data["entity"]].label},
                )
        if self.errors:
            return data
        try:
            grading.validate_check(self.to_check(data))
        except grading.CheckError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    @staticmethod
    def to_check(data) -> dict:
        check = {"type": data["kind"], "points": data["points"], "label": data["label"]}
        if data["kind"] == "answer":
            check["compute"] = data["compute"]
            return check
        filters = []
        for field_key, op_key, value_key in (("field", "op", "value"), ("field2", "op2", "value2")):
            if data.get(field_key):
                filters.append(
                    {
                        "field": data[field_key].split(":", 1)[1],
                        "op": data.get(op_key) or "exact",
                        "value": data.get(value_key) or "",
                    }
                )
        check.update(
            entity=data["entity"],
            scope="target" if data.get("scope_target") else "all",
            since=bool(data.get("since")),
            filters=filters,
            min=data.get("min_count"),
            max=data.get("max_count"),
        )
        return check

    @staticmethod
    def initial_from(check: dict) -> dict:
        initial = {
            "kind": check.get("type", "count"),
            "points": check.get("points", 1),
            "label": check.get("label", ""),
            "compute": check.get("compute", ""),
            "entity": check.get("entity", ""),
            "scope_target": check.get("scope") == "target",
            "since": bool(check.get("since")),
            "min_count": check.get("min"),
            "max_count": check.get("max"),
        }
        for suffix, item in zip(("", "2"), check.get("filters", [])[:2], strict=False):
            initial[f"field{suffix}"] = f"{check['entity']}:{item['field']}"
            initial[f"op{suffix}"] = item["op"]
            initial[f"value{suffix}"] = item["value"]
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
