"""Staff pages of the knowledge base: list and search, detail, create/edit, publish, retract."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from relais.core.knowledge.forms import EntryForm, EntryRetractForm, EntrySearchForm
from relais.core.knowledge.models import Entry
from relais.core.knowledge.permissions import Permission
from relais.core.knowledge.rendering import render_answer
from relais.core.knowledge.selectors import entries_list, entries_search, entry_get
from relais.core.knowledge.services import (
    entry_create,
    entry_publish,
    entry_retract,
    entry_text_changed,
    entry_update,
)
from relais.core.web import WorkspaceRequiredMixin, paginate, submit


class KnowledgeMixin(WorkspaceRequiredMixin):
    """The knowledge base shown is that of the current workspace's organization."""

    @property
    def organization(self):
        return self.workspace.organization


def _detail_redirect(entry):
    return redirect("knowledge:entry-detail", knowledge_entry_id=entry.public_id)


class EntryListView(KnowledgeMixin, View):
    def get(self, request):
        form = EntrySearchForm(request.GET)
        form.is_valid()
        query = form.cleaned_data.get("q", "")
        status = form.cleaned_data.get("statut") or None
        context = {
            "form": form,
            "query": query,
            "can_edit": request.user.has_role_permission(
                Permission.KNOWLEDGE_EDIT, organization=self.organization
            ),
        }
        if query.strip():
            context["hits"] = entries_search(
                user=request.user,
                organization=self.organization,
                query=query,
                status=status,
                limit=50,
            )
        else:
            entries = entries_list(user=request.user, organization=self.organization, status=status)
            context["page_obj"] = paginate(request, entries)
        return render(request, "knowledge/entry_list.html", context)


class EntryDetailView(KnowledgeMixin, View):
    def get(self, request, knowledge_entry_id):
        entry = entry_get(user=request.user, public_id=knowledge_entry_id)
        return _render_detail(request, entry, EntryRetractForm())


def _render_detail(request, entry, retract_form, status=200):
    user, organization = request.user, entry.organization_id
    return render(
        request,
        "knowledge/entry_detail.html",
        {
            "entry": entry,
            "answer_html": render_answer(entry),
            "text_changed": entry_text_changed(entry),
            # Buttons follow the role held in the entry's organization, as the services do.
            "can_edit": user.has_role_permission(
                Permission.KNOWLEDGE_EDIT, organization=organization
            )
            and entry.status != Entry.Status.ARCHIVED,
            "can_validate": user.has_role_permission(
                Permission.KNOWLEDGE_VALIDATE, organization=organization
            ),
            "retract_form": retract_form,
        },
        status=status,
    )


def _render_form(request, form, entry=None):
    return render(request, "knowledge/entry_form.html", {"form": form, "entry": entry})


class EntryCreateView(KnowledgeMixin, View):
    def get(self, request):
        return _render_form(request, EntryForm())

    def post(self, request):
        form = EntryForm(request.POST)
        entry = submit(
            form,
            lambda: entry_create(
                user=request.user, organization=self.organization, **form.entry_data()
            ),
        )
        if entry:
            messages.success(request, _("L'entrée est enregistrée comme brouillon."))
            return _detail_redirect(entry)
        return _render_form(request, form)


class EntryUpdateView(KnowledgeMixin, View):
    def get(self, request, knowledge_entry_id):
        entry = entry_get(user=request.user, public_id=knowledge_entry_id)
        return _render_form(request, EntryForm(instance=entry), entry)

    def post(self, request, knowledge_entry_id):
        entry = entry_get(user=request.user, public_id=knowledge_entry_id)
        was_validated = entry.status == Entry.Status.VALIDATED
        # The form works on a copy: a refused edit must not leak into the page's entry.
        form = EntryForm(request.POST, instance=copy.copy(entry))
        updated = submit(
            form, lambda: entry_update(user=request.user, entry=entry, **form.entry_data())
        )
        if updated:
            if was_validated and updated.status == Entry.Status.SUSPENDED:
                messages.warning(
                    request,
                    _(
                        "Le texte a changé : l'entrée est suspendue jusqu'à une nouvelle validation."
                    ),
                )
            else:
                messages.success(request, _("L'entrée est modifiée."))
            return _detail_redirect(updated)
        return _render_form(request, form, entry)


class EntryPublishView(KnowledgeMixin, View):
    def post(self, request, knowledge_entry_id):
        entry = entry_get(user=request.user, public_id=knowledge_entry_id)
        try:
            entry = entry_publish(user=request.user, entry=entry)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("L'entrée est validée et publiée."))
        return _detail_redirect(entry)


class EntryRetractView(KnowledgeMixin, View):
    def post(self, request, knowledge_entry_id):
        entry = entry_get(user=request.user, public_id=knowledge_entry_id)
        form = EntryRetractForm(request.POST)
        retracted = submit(
            form,
            lambda: entry_retract(
                user=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],
                archive=form.cleaned_data["archive"],
            ),
        )
        if retracted:
            if retracted.status == Entry.Status.ARCHIVED:
                messages.success(request, _("L'entrée est archivée."))
            else:
                messages.success(request, _("L'entrée est suspendue."))
            return _detail_redirect(retracted)
        return _render_detail(request, entry, form, status=400)
