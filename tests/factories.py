"""factory_boy factories for the shared kernel and the CRM."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.roles import Role
from relais.core.contacts.models import Company, Person
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Membership, Workspace
from relais.crm.models import (
    Activity,
    Customer,
    CustomerKind,
    Invoice,
    InvoiceLine,
    Lead,
    Note,
    Vehicle,
)
from relais.crm.services.customers import customer_reindex

PASSWORD = "motdepasse-de-test-42"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Concession {n}")
    slug = factory.Sequence(lambda n: f"concession-{n}")


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Espace {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user holding ``role`` in ``organization`` (an organization membership) and a member of
    ``workspaces``: a workspace of ``organization`` inherits the role, a workspace of another
    organization names it on the membership. ``role=None`` gives no role at all."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    role = Role.AGENT
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role and user.organization_id:
            OrganizationMembership.objects.create(
                user=user, organization_id=user.organization_id, role=role
            )
        user._factory_role = role
        return user

    @factory.post_generation
    def workspaces(self, create, extracted, **kwargs):
        if create:
            self.save()
            role = self.__dict__.pop("_factory_role", None)
            for workspace in extracted or []:
                inherits = workspace.organization_id == self.organization_id
                Membership.objects.create(
                    workspace=workspace, user=self, role=None if inherits else role
                )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    workspace = factory.SubFactory(WorkspaceFactory)
    civility = "MME"
    first_name = factory.Sequence(lambda n: f"Hélène{n}")
    last_name = factory.Sequence(lambda n: f"Dupont{n}")
    birth_date = datetime.date(1980, 5, 17)
    email = factory.Sequence(lambda n: f"helene{n}@exemple.fr")
    phone_mobile = "06 12 34 56 78"
    postal_code = "75011"
    city = "Paris"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    workspace = factory.SubFactory(WorkspaceFactory)
    legal_name = factory.Sequence(lambda n: f"Transports Martin {n}")
    siren = "732829320"
    siret = "73282932000074"
    naf_code = "49.41A"
    company_type = "SAS"
    fleet_size = "11-25"
    postal_code = "69003"
    city = "Lyon"


class CustomerFactory(factory.django.DjangoModelFactory):
    """An individual customer; pass ``kind=CustomerKind.COMPANY`` for a company."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = CustomerKind.INDIVIDUAL
    person = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == CustomerKind.INDIVIDUAL),
        factory.SubFactory(PersonFactory, workspace=factory.SelfAttribute("..workspace")),
        None,
    )
    company = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == CustomerKind.COMPANY),
        factory.SubFactory(CompanyFactory, workspace=factory.SelfAttribute("..workspace")),
        None,
    )
    source = "showroom"

    @factory.post_generation
    def index(self, create, extracted, **kwargs):
        if create:
            customer_reindex(customer=self)


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    customer = factory.SubFactory(CustomerFactory)
    workspace = factory.SelfAttribute("customer.workspace")
    make = "Renault"
    model = "Clio"
    trim = "Intens"
    energy = "hybrid"
    plate = factory.Sequence(lambda n: f"AB-{100 + n % 900:03d}-CD")
    vin = factory.Sequence(lambda n: f"VF1RJA000{n:08d}")
    first_registration_date = datetime.date(2022, 3, 15)


class InvoiceFactory(factory.django.DjangoModelFactory):
    """A bare invoice row; use ``invoice_create`` where status and interactions matter."""

    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory)
    workspace = factory.SelfAttribute("customer.workspace")
    kind = "parts"
    number = factory.Sequence(lambda n: f"F{n:06d}")
    issued_on = datetime.date(2025, 6, 2)
    total_excl_tax = Decimal("100.00")
    total_incl_tax = Decimal("120.00")


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    label = "Plaquettes de frein"
    quantity = Decimal("1")
    unit_price_excl_tax = Decimal("100.00")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    customer = factory.SubFactory(CustomerFactory)
    workspace = factory.SelfAttribute("customer.workspace")
    kind = "call"
    subject = "Relance entretien"
    occurred_at = factory.LazyFunction(
        lambda: timezone.make_aware(datetime.datetime(2025, 6, 3, 10, 0))
    )


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    customer = factory.SubFactory(CustomerFactory)
    workspace = factory.SelfAttribute("customer.workspace")
    wished_vehicles = "SUV hybride"
    household_size = 4
    daily_mileage_km = 40


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    workspace = factory.SubFactory(WorkspaceFactory)
    first_name = "Nora"
    last_name = factory.Sequence(lambda n: f"Benali{n}")
    email = factory.Sequence(lambda n: f"nora{n}@exemple.fr")
    phone = "07 81 23 45 67"
    lead_type = "test_drive"
    emitted_at = factory.LazyFunction(
        lambda: timezone.make_aware(datetime.datetime(2025, 6, 1, 9, 30))
    )
