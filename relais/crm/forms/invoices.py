"""The invoice form and its lines. The service validates and totals; these forms parse."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm, DateInput
from relais.crm.forms.customers import ServiceModelForm
from relais.crm.models import Customer, Invoice, InvoiceKind, InvoiceLine
from relais.crm.selectors import vehicles_of

INVOICE_FIELDS = ["kind", "number", "issued_on", "vehicle", "mileage"]
LINE_FIELDS = ["label", "quantity", "unit_price_excl_tax", "vat_rate"]
LINES_PREFIX = "lines"
EMPTY_LINES = 3


class VehicleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class InvoiceForm(ServiceModelForm):
    vehicle = VehicleChoiceField(
        label=_("Véhicule"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        help_text=_("Obligatoire pour une facture VN, VO ou après-vente."),
    )

    class Meta:
        model = Invoice
        fields = INVOICE_FIELDS
        widgets = {"issued_on": DateInput()}
        help_texts = {"mileage": _("Obligatoire pour une facture après-vente (APV).")}

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        # Only the customer's own vehicles can be invoiced to them.
        self.fields["vehicle"].queryset = vehicles_of(customer=customer)
        self.fields["mileage"].widget.attrs.setdefault("inputmode", "numeric")

    def as_typed(self) -> "InvoiceForm":
        """An unbound copy holding what was typed: adding a line is not submitting, so the
        fields not filled in yet must not be reported as errors."""
        typed = {name: self[name].value() for name in INVOICE_FIELDS}
        return InvoiceForm(customer=self.customer, instance=self.instance, initial=typed)

    def invoice_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in INVOICE_FIELDS}


def new_invoice_initial(kind: str) -> dict:
    """A new invoice is dated today; ``?type=apv`` (…) preselects its kind."""
    return {"kind": kind if kind in InvoiceKind.values else "", "issued_on": timezone.localdate()}


class InvoiceLineForm(BootstrapForm):
    label = InvoiceLine._meta.get_field("label").formfield()
    quantity = InvoiceLine._meta.get_field("quantity").formfield(initial=Decimal("1"))
    unit_price_excl_tax = InvoiceLine._meta.get_field("unit_price_excl_tax").formfield()
    vat_rate = InvoiceLine._meta.get_field("vat_rate").formfield(initial=Decimal("20"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The column headers and the row header name each cell's control.
        for name, field in self.fields.items():
            if name in LINE_FIELDS:
                field.widget.attrs["aria-labelledby"] = f"col-{name} {self.prefix}-title"
        for name in ("quantity", "unit_price_excl_tax", "vat_rate"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def is_blank(self) -> bool:
        """No label and no price typed: the line is one of the spare empty ones."""
        return all(self[name].value() in (None, "") for name in ("label", "unit_price_excl_tax"))

    def is_marked_deleted(self) -> bool:
        return "DELETE" in self.fields and bool(self["DELETE"].value())


class BaseInvoiceLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        """The lines to invoice: every filled line not marked for deletion."""
        return [
            {name: data[name] for name in LINE_FIELDS}
            for data in self.cleaned_data
            if data and not data.get("DELETE")
        ]

    def with_new_line(self) -> "BaseInvoiceLineFormSet":
        """An unbound copy of this posted formset with one more empty line: the
        "Ajouter une ligne" button works by a plain form submission, no script needed."""
        kept = [
            {name: form[name].value() for name in LINE_FIELDS}
            for form in self.forms
            if not form.is_blank() and not form.is_marked_deleted()
        ]
        blanks = sum(1 for form in self.forms if form.is_blank())
        formset = invoice_line_formset(initial=kept, extra=blanks + 1)
        # The page reloads: put the keyboard on the line just added.
        formset.forms[-1].fields["label"].widget.attrs["autofocus"] = True
        return formset


def invoice_line_formset(
    data=None, *, initial: list[dict] | None = None, extra: int = EMPTY_LINES
) -> BaseInvoiceLineFormSet:
    formset_class = forms.formset_factory(
        InvoiceLineForm,
        formset=BaseInvoiceLineFormSet,
        extra=extra,
        can_delete=True,
        can_delete_extra=False,
    )
    return formset_class(data, initial=initial, prefix=LINES_PREFIX)


def lines_initial(invoice: Invoice) -> list[dict]:
    return [{name: getattr(line, name) for name in LINE_FIELDS} for line in invoice.lines.all()]
