"""Small helpers every app's views share: the current workspace, and service errors on forms."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.shortcuts import render
from django.utils.translation import gettext as _

T = TypeVar("T")


class WorkspaceRequiredMixin(LoginRequiredMixin):
    """A signed-in user with a current workspace; otherwise an explanation page (never a crash)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "workspace", None) is None:
            return render(request, "no_workspace.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    @property
    def workspace(self):
        return self.request.workspace


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on the matching fields where they
    exist, at the top of the form otherwise; each field in error is tied to its messages."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            # A model's field validators and its clean() may report one problem twice.
            for message in dict.fromkeys(messages):
                if target is None and field != NON_FIELD_ERRORS:
                    label = field.replace("_", " ")
                    message = _("%(field)s : %(message)s") % {"field": label, "message": message}
                form.add_error(target, message)
    else:
        for message in dict.fromkeys(error.messages):
            form.add_error(None, message)
    if hasattr(form, "mark_invalid_fields"):
        form.mark_invalid_fields()
        return
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["aria-invalid"] = "true"


def submit(form: Form, action: Callable[[], T]) -> T | None:
    """Validate ``form``, then call the service through ``action``.

    Returns what the service returned (the saved record), or ``None`` when the form or the
    service refused; a service's ``ValidationError`` is shown on the form, which the caller
    renders again with the user's input intact.
    """
    if not form.is_valid():
        return None
    try:
        return action()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def paginate(request, queryset, *, per_page: int = 25):
    """The requested page of ``queryset``; an out-of-range or malformed page gives the last/first."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
