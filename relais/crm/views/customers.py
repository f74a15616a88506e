"""Customer screens: the list with search and export, the create/edit forms, deletion, and
the tabs of the card that this module owns (identity, contact details, history)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from relais.core.exceptions import NotFound
from relais.core.web import WorkspaceRequiredMixin, paginate, submit
from relais.crm import selectors
from relais.crm.forms.customers import (
    CompanyContactForm,
    CustomerSearchForm,
    customer_form_class,
)
from relais.crm.models import CustomerKind
from relais.crm.permissions import Permission
from relais.crm.services import customers as customer_services
from relais.crm.services import deletion as deletion_services
from relais.crm.services.exports import customer_export_start

# (sort key, column header) of the sortable columns of the list, in display order.
SORTABLE_COLUMNS = {
    "nom": gettext_lazy("Nom"),
    "type": gettext_lazy("Type"),
    "statut": gettext_lazy("Statut"),
    "ville": gettext_lazy("Ville"),
    "creation": gettext_lazy("Créé le"),
}


# --- List and export --------------------------------------------------------------------------


def _sort_headers(current: str) -> dict:
    """For each sortable column: the ``tri`` value its link asks for and its ``aria-sort``."""
    headers = {}
    for key, label in SORTABLE_COLUMNS.items():
        if current.lstrip("-") == key:
            descending = current.startswith("-")
            headers[key] = {
                "label": label,
                "next": key if descending else f"-{key}",
                "aria_sort": "descending" if descending else "ascending",
            }
        else:
            headers[key] = {"label": label, "next": key, "aria_sort": ""}
    return headers


class CustomerListView(WorkspaceRequiredMixin, View):
    """Search, filter, sort and page through the workspace's customers.

    An htmx request (the search box as one types) gets only the results and the toolbar.
    """

    def get(self, request):
        search = CustomerSearchForm(request.GET)
        filters = search.filters()
        customers = selectors.customer_list(user=request.user, workspace=self.workspace, **filters)
        page = paginate(request, customers)
        searching = bool(filters["query"] or filters["status"] or filters["kind"])
        context = {
            "search": search,
            "filters": filters,
            "searching": searching,
            "page_obj": page,
            "headers": _sort_headers(filters["sort"]),
            "workspace_empty": self._workspace_is_empty(page, searching),
            "can_delete": request.user.has_role_permission(
                Permission.CRM_DELETE, workspace=request.workspace
            ),
        }
        partial = request.headers.get("HX-Request") and not request.headers.get(
            "HX-History-Restore-Request"
        )
        template = "crm/_customer_search_response.html" if partial else "crm/customer_list.html"
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def _workspace_is_empty(self, page, searching: bool) -> bool:
        """Tells "no customer yet" from "no customer matches" when the page is empty."""
        if page.object_list:
            return False
        if not searching:
            return True
        return not selectors.customer_list(
            user=self.request.user, workspace=self.workspace
        ).exists()


class CustomerExportView(WorkspaceRequiredMixin, View):
    """Start the CSV export of the customers the list shows, then follow its progress."""

    http_method_names = ["post"]

    def post(self, request):
        filters = CustomerSearchForm(request.POST).filters()
        filters.pop("sort")
        job = customer_export_start(actor=request.user, workspace=self.workspace, **filters)
        messages.info(request, _("L'export est en cours de préparation."))
        return redirect("jobs:job-detail", public_id=job.public_id)


# --- Create, edit, delete ---------------------------------------------------------------------


class CustomerCreateView(WorkspaceRequiredMixin, View):
    """``?type=individual`` (default) or ``?type=company``."""

    template_name = "crm/customer_form.html"

    @property
    def kind(self) -> str:
        if self.request.GET.get("type") == CustomerKind.COMPANY:
            return CustomerKind.COMPANY
        return CustomerKind.INDIVIDUAL

    def render_form(self, form):
        return render(self.request, self.template_name, {"form": form, "kind": self.kind})

    def get(self, request):
        return self.render_form(customer_form_class(self.kind)(workspace=self.workspace))

    def post(self, request):
        form = customer_form_class(self.kind)(request.POST, workspace=self.workspace)
        customer = submit(
            form,
            lambda: customer_services.customer_create(
                actor=request.user,
                workspace=self.workspace,
                kind=self.kind,
                contact_data=form.contact_data(),
                customer_data=form.customer_data(),
            ),
        )
        if customer:
            messages.success(
                request,
                _("La fiche de %(name)s a été créée.") % {"name": customer.display_name},
            )
            return redirect("crm:customer-detail", customer_id=customer.public_id)
        return self.render_form(form)


class CustomerCardMixin(WorkspaceRequiredMixin):
    """A page of the customer card: ``self.customer`` comes from the selector (another
    workspace's customer is not found), and the context follows the card's tab contract."""

    active_tab = "identity"

    @cached_property
    def customer(self):
        return selectors.customer_get(
            user=self.request.user, workspace=self.workspace, public_id=self.kwargs["customer_id"]
        )

    def card_context(self, **extra) -> dict:
        return {
            "customer": self.customer,
            "active_tab": self.active_tab,
            "can_delete": self.request.user.has_role_permission(
                Permission.CRM_DELETE, workspace=self.request.workspace
            ),
            **extra,
        }

    def render_card(self, template_name: str, **extra):
        return render(self.request, template_name, self.card_context(**extra))


class CustomerEditView(CustomerCardMixin, View):
    template_name = "crm/customer_edit.html"

    def form(self, data=None):
        form_class = customer_form_class(self.customer.kind)
        return form_class(data, workspace=self.workspace, customer=self.customer)

    def get(self, request, customer_id):
        return self.render_card(self.template_name, form=self.form(), kind=self.customer.kind)

    def post(self, request, customer_id):
        form = self.form(request.POST)
        if submit(
            form,
            lambda: customer_services.customer_update(
                actor=request.user,
                customer=self.customer,
                contact_data=form.contact_data(),
                customer_data=form.customer_data(),
            ),
        ):
            messages.success(request, _("Les modifications ont été enregistrées."))
            return redirect("crm:customer-detail", customer_id=self.customer.public_id)
        return self.render_card(self.template_name, form=form, kind=self.customer.kind)


class CustomerDeleteView(CustomerCardMixin, View):
    """A confirmation page that says what goes with the customer; the POST deletes."""

    def get(self, request, customer_id):
        return self.render_card(
            "crm/customer_delete.html",
            attached=selectors.customer_attachment_counts(customer=self.customer),
            window_days=selectors.RESTORE_WINDOW_DAYS,
        )

    def post(self, request, customer_id):
        name = self.customer.display_name
        entry = deletion_services.customer_delete(actor=request.user, customer=self.customer)
        # base.html renders an "undo" button for this tag (a POST to crm:customer-restore).
        messages.success(
            request,
            _("La fiche de %(name)s a été supprimée.") % {"name": name},
            extra_tags=f"undo:{entry.pk}",
        )
        return redirect("crm:customer-list")


class CustomerRestoreView(WorkspaceRequiredMixin, View):
    """Undo a deletion of the current workspace, then show the restored card."""

    http_method_names = ["post"]

    def post(self, request, entry_id):
        try:
            customer = deletion_services.customer_restore(
                actor=request.user, audit_entry_id=entry_id, workspace=self.workspace
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("crm:customer-trash")
        messages.success(request, _("La fiche est restaurée."))
        return redirect("crm:customer-detail", customer_id=customer.public_id)


class CustomerTrashView(WorkspaceRequiredMixin, View):
    """The customers deleted in the last days, each with a button that restores it."""

    def get(self, request):
        entries = selectors.deleted_customers(user=request.user, workspace=self.workspace)
        return render(
            request,
            "crm/customer_trash.html",
            {
                "page_obj": paginate(request, entries),
                "window_days": selectors.RESTORE_WINDOW_DAYS,
            },
        )


# --- Tabs of the card -------------------------------------------------------------------------


class CustomerDetailView(CustomerCardMixin, View):
    """Tab "Identité": who the customer is, and a company's contact persons."""

    def get(self, request, customer_id):
        page = paginate(
            request,
            selectors.company_contacts(customer=self.customer),
            per_page=settings.RELAIS_PAGE_SIZE,
        )
        return self.render_card(
            "crm/customer_detail.html", contacts=page.object_list, page_obj=page
        )


class CustomerCoordinatesView(CustomerCardMixin, View):
    """Tab "Coordonnées": address, phones, e-mail and consent per channel."""

    active_tab = "coordinates"

    def get(self, request, customer_id):
        contact = self.customer.contact
        consents = [
            (_("SMS"), contact.consent_sms),
            (_("Téléphone"), contact.consent_phone),
            (_("E-mail"), contact.consent_email),
            (_("Courrier"), contact.consent_mail),
        ]
        return self.render_card("crm/customer_coordinates.html", contact=contact, consents=consents)


class CustomerTimelineView(CustomerCardMixin, View):
    """Tab "Historique": every touchpoint of the interaction log, newest first."""

    active_tab = "timeline"

    def get(self, request, customer_id):
        page = paginate(request, selectors.timeline_of(customer=self.customer))
        return self.render_card("crm/customer_timeline.html", page_obj=page)


# --- Contact persons of a company -------------------------------------------------------------


class CompanyContactMixin(CustomerCardMixin):
    @cached_property
    def link(self):
        return selectors.company_contact_get(
            user=self.request.user, customer=self.customer, contact_id=self.kwargs["contact_id"]
        )

    def back_to_card(self):
        return redirect(
            reverse("crm:customer-detail", args=[self.customer.public_id]) + "#contacts"
        )


class CompanyContactAddView(CompanyContactMixin, View):
    template_name = "crm/customer_contact_form.html"

    def get(self, request, customer_id):
        self._require_company()
        return self.render_card(self.template_name, form=CompanyContactForm())

    def post(self, request, customer_id):
        self._require_company()
        form = CompanyContactForm(request.POST)
        if submit(
            form,
            lambda: customer_services.company_contact_add(
                actor=request.user,
                customer=self.customer,
                person_data=form.person_data(),
                role=form.cleaned_data["role"],
            ),
        ):
            messages.success(request, _("Le contact a été ajouté."))
            return self.back_to_card()
        return self.render_card(self.template_name, form=form)

    def _require_company(self):
        if not self.customer.is_company:
            raise NotFound(_("Ce client n'est pas une société."))


class CompanyContactEditView(CompanyContactMixin, View):
    template_name = "crm/customer_contact_form.html"

    def get(self, request, customer_id, contact_id):
        return self.render_card(
            self.template_name, form=CompanyContactForm(link=self.link), link=self.link
        )

    def post(self, request, customer_id, contact_id):
        form = CompanyContactForm(request.POST, link=self.link)
        if submit(
            form,
            lambda: customer_services.company_contact_update(
                actor=request.user,
                customer=self.customer,
                link=self.link,
                person_data=form.person_data(),
                role=form.cleaned_data["role"],
            ),
        ):
            messages.success(request, _("Le contact a été modifié."))
            return self.back_to_card()
        return self.render_card(self.template_name, form=form, link=self.link)


class CompanyContactDeleteView(CompanyContactMixin, View):
    def get(self, request, customer_id, contact_id):
        return self.render_card("crm/customer_contact_delete.html", link=self.link)

    def post(self, request, customer_id, contact_id):
        customer_services.company_contact_remove(
            actor=request.user, customer=self.customer, link=self.link
        )
        messages.success(request, _("Le contact a été retiré de la société."))
        return self.back_to_card()
