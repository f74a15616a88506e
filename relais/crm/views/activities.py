"""Activities: the customer's activity tab, and logging, editing, deleting one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from relais.core.web import WorkspaceRequiredMixin, paginate, submit
from relais.crm.forms.activities import ActivityForm
from relais.crm.permissions import Permission
from relais.crm.selectors import activities_of, activity_get, customer_get
from relais.crm.services.records import activity_create, activity_delete, activity_update

TAB = "activities"


def _tab_redirect(customer):
    return redirect("crm:customer-activities", customer_id=customer.public_id)


class ActivityListView(WorkspaceRequiredMixin, View):
    def get(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        page = paginate(request, activities_of(customer=customer))
        return render(
            request,
            "crm/activity_list.html",
            {
                "customer": customer,
                "active_tab": TAB,
                "page_obj": page,
                "today": timezone.localdate(),
                "can_delete": request.user.has_role_permission(
                    Permission.CRM_DELETE, workspace=request.workspace
                ),
            },
        )


def _render_form(request, *, customer, form, activity=None):
    return render(
        request,
        "crm/activity_form.html",
        {"customer": customer, "active_tab": TAB, "form": form, "activity": activity},
    )


class ActivityCreateView(WorkspaceRequiredMixin, View):
    def get(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        form = ActivityForm(workspace=self.workspace, user=request.user)
        return _render_form(request, customer=customer, form=form)

    def post(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        form = ActivityForm(request.POST, workspace=self.workspace, user=request.user)
        if submit(
            form,
            lambda: activity_create(
                actor=request.user, customer=customer, data=form.activity_data()
            ),
        ):
            messages.success(request, _("L'activité est enregistrée."))
            return _tab_redirect(customer)
        return _render_form(request, customer=customer, form=form)


class ActivityUpdateView(WorkspaceRequiredMixin, View):
    def get(self, request, activity_id):
        activity = activity_get(user=request.user, workspace=self.workspace, public_id=activity_id)
        form = ActivityForm(instance=activity, workspace=self.workspace)
        return _render_form(request, customer=activity.customer, form=form, activity=activity)

    def post(self, request, activity_id):
        activity = activity_get(user=request.user, workspace=self.workspace, public_id=activity_id)
        form = ActivityForm(request.POST, instance=activity, workspace=self.workspace)
        if submit(
            form,
            lambda: activity_update(
                actor=request.user, activity=activity, data=form.activity_data()
            ),
        ):
            messages.success(request, _("L'activité est modifiée."))
            return _tab_redirect(activity.customer)
        return _render_form(request, customer=activity.customer, form=form, activity=activity)


class ActivityDeleteView(WorkspaceRequiredMixin, View):
    def get(self, request, activity_id):
        activity = activity_get(user=request.user, workspace=self.workspace, public_id=activity_id)
        return render(
            request,
            "crm/activity_confirm_delete.html",
            {
                "customer": activity.customer,
                "active_tab": TAB,
                "activity": activity,
                "can_delete": request.user.has_role_permission(
                    Permission.CRM_DELETE, workspace=request.workspace
                ),
            },
        )

    def post(self, request, activity_id):
        activity = activity_get(user=request.user, workspace=self.workspace, public_id=activity_id)
        customer = activity.customer
        activity_delete(actor=request.user, activity=activity)
        messages.success(request, _("L'activité est supprimée."))
        return _tab_redirect(customer)
