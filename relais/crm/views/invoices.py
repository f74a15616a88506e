"""Invoices: the customer's invoice tab, and creating, reading, editing, deleting one."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from relais.core.web import WorkspaceRequiredMixin, add_service_errors, paginate
from relais.crm.forms.invoices import (
    InvoiceForm,
    invoice_line_formset,
    lines_initial,
    new_invoice_initial,
)
from relais.crm.models import CustomerStatus, InvoiceKind
from relais.crm.permissions import Permission
from relais.crm.selectors import customer_get, invoice_get, invoice_totals, invoices_of
from relais.crm.services.records import invoice_create, invoice_delete, invoice_update

TAB = "invoices"


@dataclass
class KindTotal:
    kind: str
    label: str
    count: int = 0
    excl_tax: Decimal = Decimal("0")
    incl_tax: Decimal = Decimal("0")


def totals_by_kind(rows) -> tuple[list[KindTotal], KindTotal]:
    """Totals per invoice kind (in the order of ``InvoiceKind``, kinds present only) and
    overall, from ``invoice_totals`` rows (counted and summed in the database)."""
    per_kind = {kind: KindTotal(kind, label) for kind, label in InvoiceKind.choices}
    overall = KindTotal("", _("Total"))
    for row in rows:
        for total in (per_kind[row["kind"]], overall):
            total.count += row["count"]
            total.excl_tax += row["excl_tax"] or 0
            total.incl_tax += row["incl_tax"] or 0
    return [t for t in per_kind.values() if t.count], overall


def can_delete(request) -> bool:
    return request.user.has_role_permission(Permission.CRM_DELETE, workspace=request.workspace)


class InvoiceListView(WorkspaceRequiredMixin, View):
    def get(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        # A page of invoices; the totals cover them all (summed in the database).
        page = paginate(
            request,
            invoices_of(customer=customer).prefetch_related(None),
            per_page=settings.RELAIS_PAGE_SIZE,
        )
        per_kind, overall = totals_by_kind(invoice_totals(customer=customer))
        return render(
            request,
            "crm/invoice_list.html",
            {
                "customer": customer,
                "active_tab": TAB,
                "invoices": page.object_list,
                "page_obj": page,
                "totals_per_kind": per_kind,
                "total": overall,
                "invoice_kinds": InvoiceKind.choices,
            },
        )


def _add_invoice_errors(form, error: ValidationError) -> None:
    """Service errors on the form; the lines' errors (already "Ligne n — …") at its top."""
    if hasattr(error, "error_dict") and "lines" in error.error_dict:
        for message in error.message_dict["lines"]:
            form.add_error(None, message)
        error = ValidationError({k: v for k, v in error.error_dict.items() if k != "lines"})
        if not error.error_dict:
            return
    add_service_errors(form, error)


class InvoiceFormMixin:
    template_name = "crm/invoice_form.html"

    def render_form(self, request, *, customer, form, formset, invoice=None):
        return render(
            request,
            self.template_name,
            {
                "customer": customer,
                "active_tab": TAB,
                "invoice": invoice,
                "form": form,
                "formset": formset,
            },
        )


class InvoiceCreateView(InvoiceFormMixin, WorkspaceRequiredMixin, View):
    def get(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        form = InvoiceForm(
            customer=customer, initial=new_invoice_initial(request.GET.get("type", ""))
        )
        return self.render_form(
            request, customer=customer, form=form, formset=invoice_line_formset()
        )

    def post(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        form = InvoiceForm(request.POST, customer=customer)
        formset = invoice_line_formset(request.POST)
        if "add_line" in request.POST:
            return self.render_form(
                request, customer=customer, form=form.as_typed(), formset=formset.with_new_line()
            )
        if form.is_valid() and formset.is_valid():
            was_prospect = customer.status == CustomerStatus.PROSPECT
            try:
                invoice = invoice_create(
                    actor=request.user,
                    customer=customer,
                    data=form.invoice_data(),
                    lines=formset.lines(),
                )
            except ValidationError as exc:
                _add_invoice_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("La facture n° %(number)s est enregistrée.") % {"number": invoice.number},
                )
                if was_prospect and customer.status == CustomerStatus.CUSTOMER:
                    messages.info(request, _("Ce prospect est désormais client."))
                return redirect("crm:invoice-detail", invoice_id=invoice.public_id)
        return self.render_form(request, customer=customer, form=form, formset=formset)


class InvoiceDetailView(WorkspaceRequiredMixin, View):
    def get(self, request, invoice_id):
        invoice = invoice_get(user=request.user, workspace=self.workspace, public_id=invoice_id)
        return render(
            request,
            "crm/invoice_detail.html",
            {
                "customer": invoice.customer,
                "active_tab": TAB,
                "invoice": invoice,
                "lines": invoice.lines.all(),
                "can_delete": can_delete(request),
            },
        )


class InvoiceUpdateView(InvoiceFormMixin, WorkspaceRequiredMixin, View):
    def get(self, request, invoice_id):
        invoice = invoice_get(user=request.user, workspace=self.workspace, public_id=invoice_id)
        form = InvoiceForm(instance=invoice, customer=invoice.customer)
        formset = invoice_line_formset(initial=lines_initial(invoice))
        return self.render_form(
            request, customer=invoice.customer, form=form, formset=formset, invoice=invoice
        )

    def post(self, request, invoice_id):
        invoice = invoice_get(user=request.user, workspace=self.workspace, public_id=invoice_id)
        customer = invoice.customer
        form = InvoiceForm(request.POST, instance=invoice, customer=customer)
        formset = invoice_line_formset(request.POST)
        if "add_line" in request.POST:
            return self.render_form(
                request,
                customer=customer,
                form=form.as_typed(),
                formset=formset.with_new_line(),
                invoice=invoice,
            )
        if form.is_valid() and formset.is_valid():
            try:
                invoice_update(
                    actor=request.user,
                    invoice=invoice,
                    data=form.invoice_data(),
                    lines=formset.lines(),
                )
            except ValidationError as exc:
                _add_invoice_errors(form, exc)
            else:
                messages.success(request, _("La facture est modifiée."))
                return redirect("crm:invoice-detail", invoice_id=invoice.public_id)
        return self.render_form(
            request, customer=customer, form=form, formset=formset, invoice=invoice
        )


class InvoiceDeleteView(WorkspaceRequiredMixin, View):
    def get(self, request, invoice_id):
        invoice = invoice_get(user=request.user, workspace=self.workspace, public_id=invoice_id)
        return render(
            request,
            "crm/invoice_confirm_delete.html",
            {
                "customer": invoice.customer,
                "active_tab": TAB,
                "invoice": invoice,
                "can_delete": can_delete(request),
            },
        )

    def post(self, request, invoice_id):
        invoice = invoice_get(user=request.user, workspace=self.workspace, public_id=invoice_id)
        customer = invoice.customer
        number = invoice.number
        was_customer = customer.status == CustomerStatus.CUSTOMER
        invoice_delete(actor=request.user, invoice=invoice)
        messages.success(request, _("La facture n° %(number)s est supprimée.") % {"number": number})
        if was_customer and customer.status == CustomerStatus.PROSPECT:
            messages.info(request, _("Ce client n'a plus de facture : il redevient prospect."))
        return redirect(
            reverse("crm:customer-invoices", kwargs={"customer_id": customer.public_id})
        )
