"""Notes: the customer's notes tab (latest known facts, then dated notes), and note CRUD."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from relais.core.web import WorkspaceRequiredMixin, paginate, submit
from relais.crm.forms.notes import NoteForm
from relais.crm.models import Note
from relais.crm.permissions import Permission
from relais.crm.selectors import customer_get, note_get, notes_of
from relais.crm.services.records import note_create, note_delete, note_update

TAB = "notes"
SUMMARY_FIELDS = ["household_size", "daily_mileage_km", "wished_vehicles", "interests"]


def latest_values(notes) -> list[dict]:
    """For each summary field, the most recent note that gave it a value (``notes`` a
    queryset newest first): one small query a field, whatever the number of notes."""
    summary = []
    for name in SUMMARY_FIELDS:
        given = notes.exclude(**{f"{name}__isnull": True})
        if Note._meta.get_field(name).get_internal_type() in ("CharField", "TextField"):
            given = given.exclude(**{name: ""})
        note = given.first()
        summary.append(
            {
                "name": name,
                "label": Note._meta.get_field(name).verbose_name,
                "value": getattr(note, name) if note else None,
                "noted_on": note.created_at if note else None,
            }
        )
    return summary


def _tab_redirect(customer):
    return redirect("crm:customer-notes", customer_id=customer.public_id)


class NoteListView(WorkspaceRequiredMixin, View):
    def get(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        notes = notes_of(customer=customer)
        page = paginate(request, notes, per_page=settings.RELAIS_PAGE_SIZE)
        return render(
            request,
            "crm/note_list.html",
            {
                "customer": customer,
                "active_tab": TAB,
                "notes": page.object_list,
                "page_obj": page,
                "summary": latest_values(notes),
                "can_delete": request.user.has_role_permission(
                    Permission.CRM_DELETE, workspace=request.workspace
                ),
            },
        )


def _render_form(request, *, customer, form, note=None):
    return render(
        request,
        "crm/note_form.html",
        {"customer": customer, "active_tab": TAB, "form": form, "note": note},
    )


class NoteCreateView(WorkspaceRequiredMixin, View):
    def get(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        return _render_form(request, customer=customer, form=NoteForm())

    def post(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        form = NoteForm(request.POST)
        if submit(
            form, lambda: note_create(actor=request.user, customer=customer, data=form.note_data())
        ):
            messages.success(request, _("La note est enregistrée."))
            return _tab_redirect(customer)
        return _render_form(request, customer=customer, form=form)


class NoteUpdateView(WorkspaceRequiredMixin, View):
    def get(self, request, note_id):
        note = note_get(user=request.user, workspace=self.workspace, public_id=note_id)
        return _render_form(
            request, customer=note.customer, form=NoteForm(instance=note), note=note
        )

    def post(self, request, note_id):
        note = note_get(user=request.user, workspace=self.workspace, public_id=note_id)
        form = NoteForm(request.POST, instance=note)
        if submit(form, lambda: note_update(actor=request.user, note=note, data=form.note_data())):
            messages.success(request, _("La note est modifiée."))
            return _tab_redirect(note.customer)
        return _render_form(request, customer=note.customer, form=form, note=note)


class NoteDeleteView(WorkspaceRequiredMixin, View):
    def get(self, request, note_id):
        note = note_get(user=request.user, workspace=self.workspace, public_id=note_id)
        return render(
            request,
            "crm/note_confirm_delete.html",
            {
                "customer": note.customer,
                "active_tab": TAB,
                "note": note,
                "can_delete": request.user.has_role_permission(
                    Permission.CRM_DELETE, workspace=request.workspace
                ),
            },
        )

    def post(self, request, note_id):
        note = note_get(user=request.user, workspace=self.workspace, public_id=note_id)
        customer = note.customer
        note_delete(actor=request.user, note=note)
        messages.success(request, _("La note est supprimée."))
        return _tab_redirect(customer)
