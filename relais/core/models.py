"""Abstract building blocks shared by every model of Relais."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from relais.core.text import TEXT_MAX_LENGTH, has_control_characters


def text_limit(field: models.Field) -> int | None:
    """The longest text ``field`` takes: its ``max_length``, else ``TEXT_MAX_LENGTH`` for a
    long text (``TextField``); None for anything else."""
    if isinstance(field, models.CharField | models.TextField):
        return field.max_length or TEXT_MAX_LENGTH
    return None


def limit_message(limit: int) -> str:
    return gettext("%(max)s caractères au plus.") % {
        "max": number_format(limit, force_grouping=True)
    }


class SafeTextMixin:
    """Text fields refuse control characters (invisible, refused by exports) and long texts
    refuse more than ``TEXT_MAX_LENGTH`` characters (a TextField's ``max_length`` is checked by
    nobody else). Runs in ``full_clean``, so services, forms and the API share it."""

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.choices or not field.editable:
                continue  # choices are checked already; derived columns are not typed
            if not isinstance(field, models.CharField | models.TextField):
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str):
                continue
            messages = []
            if has_control_characters(value):
                messages.append(
                    gettext(
                        "Ce texte contient un caractère de contrôle invisible (copié d'un autre "
                        "logiciel ?) : retirez-le."
                    )
                )
            if isinstance(field, models.TextField) and len(value) > text_limit(field):
                messages.append(
                    limit_message(text_limit(field))
                    + " "
                    + gettext("Ce texte en compte %(count)s.")
                    % {"count": number_format(len(value), force_grouping=True)}
                )
            if messages:
                errors.setdefault(field.name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


class TimeStampedModel(SafeTextMixin, models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class PublicIdModel(TimeStampedModel):
    """A model whose rows appear in URLs and files under a UUID, never the sequential key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True
