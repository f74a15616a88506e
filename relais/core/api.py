"""Building blocks that every app's REST API shares: error bodies, error handlers, pagination.

Every error the API returns has one shape: ``{"detail": "…"}``, plus ``"errors"``
(``{field: [messages]}``) for invalid input. Messages are in the request's language
(French by default), whether they come from a service's ``ValidationError`` or from
the parsing of the request itself.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.pagination import PageNumberPagination

# A service names a related record by its model field; the API body by ``<field>_id``.
ERROR_FIELD_ALIASES = {"vehicle": "vehicle_id", "parent": "parent_id"}


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


ERROR_RESPONSES = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


# Far beyond any real list; a larger page number would overflow the database's OFFSET.
MAX_PAGE = 1_000_000


class Pagination(PageNumberPagination):
    """Page-number pagination whose default page size is the ``RELAIS_PAGE_SIZE`` setting."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)

    def _get_page_size(self, requested_page_size: int | None) -> int:
        if requested_page_size is None:
            return settings.RELAIS_PAGE_SIZE
        return min(requested_page_size, self.max_page_size)


def _request_error_message(error: dict) -> str:
    """A French message for one pydantic error of a request's parameters or body."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("Ce champ est obligatoire."),
        "string_type": _("Saisissez un texte."),
        "string_too_long": _("Ce texte est trop long."),
        "int_type": _("Saisissez un nombre entier."),
        "int_parsing": _("Saisissez un nombre entier."),
        "int_from_float": _("Saisissez un nombre entier."),
        "float_parsing": _("Saisissez un nombre."),
        "decimal_parsing": _("Saisissez un nombre."),
        "decimal_type": _("Saisissez un nombre."),
        "finite_number": _("Saisissez un nombre."),
        "float_type": _("Saisissez un nombre."),
        "bool_type": _("Saisissez true ou false."),
        "bool_parsing": _("Saisissez true ou false."),
        "date_type": _("Saisissez une date au format AAAA-MM-JJ."),
        "date_parsing": _("Saisissez une date au format AAAA-MM-JJ."),
        "date_from_datetime_parsing": _("Saisissez une date au format AAAA-MM-JJ."),
        "datetime_type": _("Saisissez une date et une heure au format AAAA-MM-JJTHH:MM:SS+02:00."),
        "datetime_parsing": _(
            "Saisissez une date et une heure au format AAAA-MM-JJTHH:MM:SS+02:00."
        ),
        "datetime_from_date_parsing": _(
            "Saisissez une date et une heure au format AAAA-MM-JJTHH:MM:SS+02:00."
        ),
        "uuid_type": _("Saisissez un identifiant valide (UUID)."),
        "uuid_parsing": _("Saisissez un identifiant valide (UUID)."),
        "list_type": _("Saisissez une liste."),
        "dict_type": _("Saisissez un objet."),
        "model_type": _("Saisissez un objet."),
        "model_attributes_type": _("Saisissez un objet."),
        "json_invalid": _("Le corps de la requête n'est pas un document JSON valide."),
        "extra_forbidden": _("Ce champ n'existe pas ici."),
        "date_too_old": _("Date invalide : saisissez une date postérieure à 1900 (AAAA-MM-JJ)."),
    }
    if kind in messages:
        return messages[kind]
    if kind in {"literal_error", "enum"}:
        # pydantic lists the values as "'a', 'b' or 'c'".
        expected = str(ctx.get("expected", "")).replace("' or '", "' ou '")
        return _("Valeur non valide : choisissez parmi %(expected)s.") % {"expected": expected}
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("La valeur doit être au moins %(limit)s.") % {"limit": limit}
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return _("La valeur doit être au plus %(limit)s.") % {"limit": limit}
    # pydantic's own wording is English: never show it to a French user.
    return _("Valeur non valide.")


def _request_error_field(loc) -> str:
    """``("body", "payload", "lines", 0, "label")`` -> ``"lines.0.label"``."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] or parts[1:]  # drop the location and the body parameter's name
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


def invalid_request(api: NinjaAPI, request, exc: RequestValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _request_error_field(error.get("loc", ()))
        errors.setdefault(field, []).append(_request_error_message(error))
    body = {"detail": _("Certaines données sont invalides."), "errors": errors}
    return api.create_response(request, body, status=422)


def _aliased(field: str) -> str:
    """``company.parent`` -> ``company.parent_id``: the name the request body uses."""
    *section, name = field.split(".")
    return ".".join([*section, ERROR_FIELD_ALIASES.get(name, name)])


def invalid_data(api: NinjaAPI, request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        errors = {_aliased(field): messages for field, messages in exc.message_dict.items()}
    else:
        errors = {NON_FIELD_ERRORS: exc.messages}
    messages = [message for field_messages in errors.values() for message in field_messages]
    detail = messages[0] if len(messages) == 1 else _("Certaines données sont invalides.")
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def not_found(api: NinjaAPI, request, exc: Http404):
    # Django's own Http404 carries English text; ours (``NotFound``) carries a French message.
    detail = str(exc) if exc.args and str(exc) else _("Introuvable.")
    return api.create_response(request, {"detail": detail}, status=404)


def forbidden(api: NinjaAPI, request, exc: PermissionDenied):
    detail = str(exc) if exc.args and str(exc) else _("Vous n'avez pas accès à cette ressource.")
    return api.create_response(request, {"detail": detail}, status=403)


def unauthenticated(api: NinjaAPI, request, exc: AuthenticationError):
    detail = _("Authentification requise : session ou jeton d'API (Authorization: Bearer …).")
    return api.create_response(request, {"detail": detail}, status=401)


def http_error(api: NinjaAPI, request, exc: HttpError):
    # Ninja's own messages are in English; give the two a client can meet in French.
    detail = exc.message
    if exc.status_code == 403 and detail == "CSRF check Failed":
        detail = _("Jeton CSRF absent ou invalide : envoyez l'en-tête X-CSRFToken.")
    elif exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("Le corps de la requête n'est pas un document JSON valide.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


def install_error_handlers(api: NinjaAPI) -> None:
    """Give every error of ``api`` the shared shape (see the module docstring)."""
    handlers = [
        (RequestValidationError, invalid_request),
        (ValidationError, invalid_data),
        (Http404, not_found),
        (PermissionDenied, forbidden),
        (HttpError, http_error),
        (AuthenticationError, unauthenticated),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(
            exception, lambda request, exc, handler=handler: handler(api, request, exc)
        )
