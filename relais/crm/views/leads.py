"""Leads: the list with its filters, a lead's form, its deletion and its conversion."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from relais.core.accounts.permissions import ensure_permission
from relais.core.web import WorkspaceRequiredMixin, paginate, submit
from relais.crm.forms.leads import LeadFilterForm, LeadForm
from relais.crm.permissions import Permission
from relais.crm.selectors import lead_get, lead_list
from relais.crm.services.leads import lead_convert, lead_create, lead_delete, lead_update


class LeadListView(WorkspaceRequiredMixin, View):
    def get(self, request):
        filters = LeadFilterForm(request.GET)
        leads = lead_list(user=request.user, workspace=self.workspace, **filters.filters())
        page = paginate(request, leads, per_page=settings.RELAIS_PAGE_SIZE)
        return render(
            request,
            "crm/lead_list.html",
            {
                "filter_form": filters,
                "page_obj": page,
                "can_delete": request.user.has_role_permission(
                    Permission.CRM_DELETE, workspace=request.workspace
                ),
            },
        )


def _render_form(request, *, form, lead=None):
    return render(request, "crm/lead_form.html", {"form": form, "lead": lead})


class LeadCreateView(WorkspaceRequiredMixin, View):
    def get(self, request):
        ensure_permission(request.user, Permission.CRM_VIEW, self.workspace)
        return _render_form(request, form=LeadForm())

    def post(self, request):
        form = LeadForm(request.POST)
        if submit(
            form,
            lambda: lead_create(
                actor=request.user, workspace=self.workspace, data=form.lead_data()
            ),
        ):
            messages.success(request, _("Le lead est enregistré."))
            return redirect("crm:lead-list")
        return _render_form(request, form=form)


class LeadUpdateView(WorkspaceRequiredMixin, View):
    def get(self, request, lead_id):
        lead = lead_get(user=request.user, workspace=self.workspace, public_id=lead_id)
        return _render_form(request, form=LeadForm(instance=lead), lead=lead)

    def post(self, request, lead_id):
        lead = lead_get(user=request.user, workspace=self.workspace, public_id=lead_id)
        form = LeadForm(request.POST, instance=lead)
        if submit(form, lambda: lead_update(actor=request.user, lead=lead, data=form.lead_data())):
            messages.success(request, _("Le lead est modifié."))
            return redirect("crm:lead-list")
        return _render_form(request, form=form, lead=lead)


class LeadDeleteView(WorkspaceRequiredMixin, View):
    def get(self, request, lead_id):
        lead = lead_get(user=request.user, workspace=self.workspace, public_id=lead_id)
        return render(
            request,
            "crm/lead_confirm_delete.html",
            {
                "lead": lead,
                "can_delete": request.user.has_role_permission(
                    Permission.CRM_DELETE, workspace=request.workspace
                ),
            },
        )

    def post(self, request, lead_id):
        lead = lead_get(user=request.user, workspace=self.workspace, public_id=lead_id)
        lead_delete(actor=request.user, lead=lead)
        messages.success(request, _("Le lead est supprimé."))
        return redirect("crm:lead-list")


class LeadConvertView(WorkspaceRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, lead_id):
        lead = lead_get(user=request.user, workspace=self.workspace, public_id=lead_id)
        try:
            customer = lead_convert(actor=request.user, lead=lead)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("crm:lead-list")
        messages.success(
            request,
            _("Le lead est converti : voici la fiche prospect de %(name)s.")
            % {"name": customer.display_name},
        )
        return redirect("crm:customer-detail", customer_id=customer.public_id)
