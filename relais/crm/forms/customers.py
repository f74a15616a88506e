"""Forms of the customer screens: search, individual and company customers, contact persons.

The model forms here borrow their fields, labels and choices from the models, but the
values are validated by the services (phones, postcodes, SIREN, …): the model validation
step of ``ModelForm`` is skipped so that the instance is never touched before the service
sees what changed.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.models import User
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.forms import BootstrapForm, BootstrapModelForm, DateInput
from relais.core.workspaces.selectors import users_of_workspace
from relais.crm.models import Customer, CustomerKind, CustomerStatus
from relais.crm.selectors import CUSTOMER_SORTS

DEFAULT_SORT = "nom"
SORT_CHOICES = [(key, key) for name in CUSTOMER_SORTS for key in (name, f"-{name}")]

INDIVIDUAL_FIELDS = ["civility", "first_name", "last_name", "birth_date", "profession"]
COMPANY_FIELDS = [
    "legal_name",
    "trade_name",
    "siren",
    "siret",
    "naf_code",
    "company_type",
    "parent",
    "fleet_size",
]
ADDRESS_FIELDS = ["street", "address_complement", "postal_code", "city"]
REACH_FIELDS = ["phone_landline", "phone_mobile", "email"]
CONSENT_FIELDS = ["consent_sms", "consent_phone", "consent_email", "consent_mail"]
CUSTOMER_FIELDS = ["source", "dealership", "owner"]
# The model's wording, rather than Django's generic "adresse de courriel".
EMAIL_ERRORS = {
    "email": {"invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")}
}


class CustomerSearchForm(BootstrapForm):
    """The search box and filters of the customer list (GET), also posted to the export."""

    q = forms.CharField(
        label=_("Rechercher un client"),
        required=False,
        max_length=200,
        help_text=_("Nom, téléphone, e-mail, immatriculation, VIN ou SIRET, même partiels."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    statut = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous"))] + CustomerStatus.choices
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Tous"))] + CustomerKind.choices
    )
    tri = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)

    def filters(self) -> dict:
        """Arguments for ``selectors.customer_list``; a malformed value is ignored, not an error."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q", ""),
            "status": data.get("statut", ""),
            "kind": data.get("type", ""),
            "sort": data.get("tri") or DEFAULT_SORT,
        }


def assignable_users(workspace):
    """Users who may own a customer of ``workspace``: those who may enter it."""
    return users_of_workspace(workspace=workspace)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class ServiceModelForm(BootstrapModelForm):
    """A model form used for its fields only: a service validates the data and saves it."""

    def _post_clean(self):
        # ModelForm would copy the data into the instance and validate it there; the
        # service does both, and needs the unchanged instance to know what changed.
        pass

    def fieldsets(self) -> list[tuple[str, list]]:
        """``[(legend, [bound fields])]`` in the order of ``self.groups``."""
        return [(legend, [self[name] for name in names]) for legend, names in self.groups]


class CustomerForm(ServiceModelForm):
    """Fields shared by both kinds of customer; subclasses name the contact model."""

    source = Customer._meta.get_field("source").formfield()
    dealership = Customer._meta.get_field("dealership").formfield()
    owner = UserChoiceField(label=_("Responsable"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, workspace, customer: Customer | None = None, **kwargs):
        if customer is not None:
            kwargs["instance"] = customer.contact
            kwargs["initial"] = {
                "source": customer.source,
                "dealership": customer.dealership,
                "owner": customer.owner_id,
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(workspace)

    def contact_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def customer_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in CUSTOMER_FIELDS}


_COMMON_GROUPS = [
    (_("Adresse"), ADDRESS_FIELDS),
    (_("Téléphones et e-mail"), REACH_FIELDS),
    (_("Consentements à la prospection"), CONSENT_FIELDS),
    (_("Suivi commercial"), CUSTOMER_FIELDS),
]


class IndividualForm(CustomerForm):
    groups = [(_("Identité"), INDIVIDUAL_FIELDS), *_COMMON_GROUPS]

    class Meta:
        model = Person
        fields = [*INDIVIDUAL_FIELDS, *ADDRESS_FIELDS, *REACH_FIELDS, *CONSENT_FIELDS]
        widgets = {"birth_date": DateInput()}
        error_messages = EMAIL_ERRORS


class CompanyForm(CustomerForm):
    groups = [(_("Société"), COMPANY_FIELDS), *_COMMON_GROUPS]

    class Meta:
        model = Company
        fields = [*COMPANY_FIELDS, *ADDRESS_FIELDS, *REACH_FIELDS, *CONSENT_FIELDS]
        error_messages = EMAIL_ERRORS
        help_texts = {
            "siren": _("9 chiffres"),
            "siret": _("14 chiffres, commence par le SIREN"),
            "naf_code": _("Format 45.11Z"),
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        # Only companies of this workspace, and never the company itself.
        parents = Company.objects.in_workspace(workspace).order_by("legal_name", "id")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


def customer_form_class(kind: str) -> type[CustomerForm]:
    return CompanyForm if kind == CustomerKind.COMPANY else IndividualForm


class CompanyContactForm(ServiceModelForm):
    """A contact person of a company: the person's fields and their role there."""

    role = CompanyContact._meta.get_field("role").formfield()
    groups = [
        (_("Contact"), ["civility", "first_name", "last_name", "role", "email", "phone_mobile"])
    ]

    class Meta:
        model = Person
        fields = ["civility", "first_name", "last_name", "email", "phone_mobile"]
        error_messages = EMAIL_ERRORS

    def __init__(self, *args, link: CompanyContact | None = None, **kwargs):
        if link is not None:
            kwargs["instance"] = link.person
            kwargs["initial"] = {"role": link.role, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}
