"""Base form that renders accessibly with Bootstrap: classes, aria-invalid and aria-describedby."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _

from relais.core.models import limit_message
from relais.core.text import TEXT_MAX_LENGTH, has_control_characters


def refuse_control_characters(value) -> None:
    if has_control_characters(value):
        raise ValidationError(
            _(
                "Ce texte contient un caractère de contrôle invisible (copié d'un autre "
                "logiciel ?) : retirez-le."
            ),
            code="control_characters",
        )


def _limit_text(field: forms.Field) -> None:
    """Every text field refuses control characters; a long text (textarea) gets a limit,
    said under the field and enforced by the browser and the server."""
    if not isinstance(field, forms.CharField):
        return
    field.validators.append(refuse_control_characters)
    if not isinstance(field.widget, forms.Textarea):
        return
    if field.max_length is None:
        field.max_length = TEXT_MAX_LENGTH
        field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
    field.widget.attrs["maxlength"] = str(field.max_length)
    hint = limit_message(field.max_length)
    if hint not in str(field.help_text or ""):
        field.help_text = f"{field.help_text} {hint}".strip() if field.help_text else hint


class BootstrapFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            _limit_text(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            described = []
            if field.help_text:
                described.append(f"{self[name].auto_id or name}_helptext")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    # Invalid controls are marked in full_clean(), not here: reading self.errors in __init__
    # would validate before a subclass has scoped its querysets.
    def full_clean(self):
        super().full_clean()
        # Errors are known only now: mark the invalid controls for assistive technologies.
        self.mark_invalid_fields()

    def mark_invalid_fields(self) -> None:
        """Flag every field in error (``aria-invalid``, ``is-invalid``) and tie it to its error
        list; call it again after ``add_error()`` outside validation (a service's refusal)."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                error_id = f"{self[name].auto_id or name}_error"
                described = widget.attrs.get("aria-describedby", "")
                if error_id not in described:
                    widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()


class BootstrapForm(BootstrapFormMixin, forms.Form):
    pass


class BootstrapModelForm(BootstrapFormMixin, forms.ModelForm):
    pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
