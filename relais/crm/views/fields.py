"""The transverse field view: pick any field, see it across every record, edit it in place.

Without a script the whole page is one form: "Enregistrer" saves every changed row, and a
refused value is shown on its row while the other rows keep what was typed. With htmx, each
row's button posts only that row and swaps it in place.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Page
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from relais.core.web import WorkspaceRequiredMixin, paginate
from relais.crm.forms.fields import ROW_PREFIX, FieldPickerForm, FieldValueForm, posted_values
from relais.crm.permissions import Permission
from relais.crm.services.fields import (
    ENTITIES,
    FieldSpec,
    FieldUpdateOutcome,
    entity_of,
    field_grid,
    field_spec,
    field_update_many,
)

PAGE_SIZE = 50
VALUE_HEADER_ID = "col-value"
# Where a row's record opens: (URL name, its keyword), per entity that is not a customer.
RECORD_PAGES = {
    "vehicule": ("crm:vehicle-edit", "vehicle_id"),
    "facture": ("crm:invoice-detail", "invoice_id"),
    "activite": ("crm:activity-edit", "activity_id"),
    "note": ("crm:note-edit", "note_id"),
    "lead": ("crm:lead-edit", "lead_id"),
}


def _record_url(entity_key: str, record) -> str:
    if entity_key not in RECORD_PAGES:
        return ""
    name, kwarg = RECORD_PAGES[entity_key]
    try:
        return reverse(name, kwargs={kwarg: record.public_id})
    except NoReverseMatch:  # a screen not installed: the label stays plain text
        return ""


@dataclass
class GridRow:
    record: object
    record_url: str
    customer: object
    value: object  # the stored value as a reader sees it
    form: FieldValueForm | None  # None for a computed field
    saved: bool = False

    @property
    def header_id(self) -> str:
        return f"row-{self.record.public_id}"


def _rows(
    records,
    *,
    spec: FieldSpec,
    workspace,
    posted: dict | None = None,
    outcome: FieldUpdateOutcome | None = None,
) -> list[GridRow]:
    """One row per record. After a post, a refused value stays as typed, with its errors."""
    posted = posted or {}
    outcome = outcome or FieldUpdateOutcome()
    entity = entity_of(spec)
    value_field = spec.form_field(workspace) if spec.editable else None
    rows = []
    for record in records:
        record_id = str(record.public_id)
        form = None
        if value_field is not None:
            prefix = ROW_PREFIX.format(record_id)
            label_ids = f"{VALUE_HEADER_ID} row-{record_id}"
            if record_id in outcome.errors:
                form = FieldValueForm(
                    {f"{prefix}-value": posted[record_id]},
                    value_field=value_field,
                    label_ids=label_ids,
                    prefix=prefix,
                )
                form.add_value_errors(outcome.errors[record_id])
            else:
                typed = posted.get(record_id) if record_id not in outcome.saved else None
                initial = typed if typed is not None else spec.initial(record)
                form = FieldValueForm(
                    value_field=value_field,
                    label_ids=label_ids,
                    prefix=prefix,
                    initial={"value": initial},
                )
        rows.append(
            GridRow(
                record=record,
                record_url=_record_url(entity.key, record),
                customer=entity.customer_of(record),
                value=spec.display(record),
                form=form,
                saved=record_id in outcome.saved,
            )
        )
    return rows


class FieldGridView(WorkspaceRequiredMixin, View):
    def get(self, request):
        return self.render_grid(request)

    def post(self, request):
        picker = FieldPickerForm(request.GET)
        params = picker.params()
        spec = field_spec(params["key"])
        if not spec.editable:
            return HttpResponseNotAllowed(["GET"])
        posted = posted_values(request.POST)
        outcome = field_update_many(
            actor=request.user,
            workspace=self.workspace,
            entity=spec.entity_key,
            field=spec.name,
            values=posted,
        )
        if request.headers.get("HX-Request"):
            return self.render_rows(request, spec=spec, posted=posted, outcome=outcome)
        if outcome.saved:
            count = len(outcome.saved)
            messages.success(
                request,
                ngettext("%(count)d valeur enregistrée.", "%(count)d valeurs enregistrées.", count)
                % {"count": count},
            )
        if not outcome.errors:
            if not outcome.saved:
                messages.info(request, _("Aucune valeur n'a changé."))
            return redirect(request.get_full_path())
        return self.render_grid(request, posted=posted, outcome=outcome)

    def render_grid(self, request, *, posted=None, outcome=None):
        picker = FieldPickerForm(request.GET)
        params = picker.params()
        context = {"picker": picker, "entities": ENTITIES.values(), "spec": None}
        if params["key"]:
            spec = field_spec(params["key"])
            records = field_grid(
                user=request.user,
                workspace=self.workspace,
                spec=spec,
                query=params["query"],
                sort=params["sort"],
            )
            page: Page = paginate(request, records, per_page=PAGE_SIZE)
            sort_query = request.GET.copy()
            sort_query.pop("page", None)
            sort_query["tri"] = "-valeur" if params["sort"] == "valeur" else "valeur"
            context.update(
                spec=spec,
                entity=entity_of(spec),
                query=params["query"],
                sort=params["sort"],
                page_obj=page,
                rows=_rows(
                    page, spec=spec, workspace=self.workspace, posted=posted, outcome=outcome
                ),
                sort_query=sort_query.urlencode(),
                errors=outcome.errors if outcome else {},
                can_edit=spec.editable
                and request.user.has_role_permission(
                    Permission.CRM_EDIT, workspace=request.workspace
                ),
                value_header_id=VALUE_HEADER_ID,
            )
        return render(request, "crm/field_grid.html", context)

    def render_rows(self, request, *, spec: FieldSpec, posted: dict, outcome: FieldUpdateOutcome):
        """The posted rows only, for htmx to swap in place; a status message out of band."""
        records = field_grid(
            user=request.user, workspace=self.workspace, spec=spec, record_ids=posted
        )
        rows = _rows(records, spec=spec, workspace=self.workspace, posted=posted, outcome=outcome)
        return render(
            request,
            "crm/field_grid_rows.html",
            {
                "spec": spec,
                "entity": entity_of(spec),
                "rows": rows,
                "outcome": outcome,
                "can_edit": True,
                "value_header_id": VALUE_HEADER_ID,
            },
        )
