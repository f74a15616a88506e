"""Cloning a school template into a sandbox, and resetting it (set-based, dates rolled forward)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import roles_held
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.exceptions import NotFound
from relais.core.interactions.models import Interaction
from relais.core.workspaces.models import Membership, WorkspaceKind
from relais.core.workspaces.sandbox import sandbox_models
from relais.crm.models import Activity, Customer, Invoice, InvoiceLine, Lead, Vehicle
from relais.crm.selectors import customer_list, deleted_customers
from relais.crm.services.deletion import customer_delete, customer_restore
from relais.training.models import Enrollment, SchoolBase
from relais.training.services import sandboxes
from relais.training.services.sandboxes import (
    class_create,
    date_shift_days,
    learner_enroll,
    sandbox_clone_records,
    sandbox_create,
    sandbox_reset,
)
from tests.factories import UserFactory, WorkspaceFactory

TODAY = datetime.date(2025, 6, 15)


def _rows(model, workspace):
    if any(f.name == "workspace" for f in model._meta.concrete_fields):
        return model._default_manager.filter(workspace=workspace)
    link = next(
        f
        for f in model._meta.concrete_fields
        if f.is_relation
        and not f.null
        and any(g.name == "workspace" for g in f.related_model._meta.concrete_fields)
    )
    return model._default_manager.filter(**{f"{link.name}__workspace": workspace})


def _fresh_sandbox(template):
    return WorkspaceFactory(
        organization=template.organization,
        name="Bac à sable",
        kind=WorkspaceKind.SANDBOX,
        template=template,
    )


@pytest.fixture
def learner_account(organization):
    return UserFactory(username="nouvel", role=Role.LEARNER, organization=organization)


@pytest.mark.django_db(transaction=False)
def test_clone_copies_every_table_with_new_ids_pointing_inside_the_sandbox(
    school_template, learner_account
):
    target = _fresh_sandbox(school_template)
    written = sandbox_clone_records(
        source=school_template, target=target, today=TODAY, owner=learner_account
    )
    assert written > 0
    for model in sandbox_models():
        if model is Lead:
            continue
        source_rows = _rows(model, school_template)
        target_rows = _rows(model, target)
        assert target_rows.count() == source_rows.count(), model
        source_ids = set(source_rows.values_list("pk", flat=True))
        target_ids = set(target_rows.values_list("pk", flat=True))
        assert not source_ids & target_ids, model
        if hasattr(model, "public_id"):
            assert not set(source_rows.values_list("public_id", flat=True)) & set(
                target_rows.values_list("public_id", flat=True)
            )
        # Every link to a record table points at a row of the sandbox.
        for field in model._meta.concrete_fields:
            related = field.related_model if field.is_relation else None
            if related in sandbox_models():
                linked = set(
                    target_rows.exclude(**{field.attname: None}).values_list(
                        field.attname, flat=True
                    )
                )
                assert linked <= set(_rows(related, target).values_list("pk", flat=True)), (
                    model,
                    field.name,
                )
    # Sanity of the copy itself: same customers, by hidden identity key.
    assert set(Customer.objects.in_workspace(target).values_list("identity_key", flat=True)) == set(
        Customer.objects.in_workspace(school_template).values_list("identity_key", flat=True)
    )
    assert Customer.objects.in_workspace(target).count() == 20
    assert InvoiceLine.objects.filter(invoice__workspace=target).count() > 0
    # Users become the sandbox owner.
    assert set(
        Customer.objects.in_workspace(target).exclude(owner=None).values_list("owner", flat=True)
    ) == {learner_account.pk}
    assert (
        not Activity.objects.in_workspace(target)
        .exclude(owner=None)
        .exclude(owner=learner_account)
        .exists()
    )


@pytest.mark.django_db
def test_generic_interaction_sources_follow_the_copy(school_template, learner_account):
    target = _fresh_sandbox(school_template)
    sandbox_clone_records(source=school_template, target=target, today=TODAY, owner=learner_account)
    interactions = Interaction.objects.in_workspace(target).exclude(source_id=None)
    assert interactions.exists()
    for interaction in interactions:
        source = interaction.source
        assert source is not None and source.workspace_id == target.pk


@pytest.mark.django_db
def test_search_finds_the_cloned_customers(school_template, learner_account, organization):
    target = _fresh_sandbox(school_template)
    Membership.objects.create(workspace=target, user=learner_account)
    sandbox_clone_records(source=school_template, target=target, today=TODAY, owner=learner_account)
    customer = (
        Customer.objects.in_workspace(target)
        .filter(kind="individual")
        .select_related("person")
        .first()
    )
    found = customer_list(user=learner_account, workspace=target, query=customer.person.last_name)
    assert customer.pk in {c.pk for c in found}


def test_shift_is_whole_weeks_rounded_down():
    assert date_shift_days(reference=datetime.date(2024, 6, 16), today=TODAY) == 364
    assert date_shift_days(reference=datetime.date(2025, 6, 10), today=TODAY) == 0
    assert date_shift_days(reference=datetime.date(2025, 6, 1), today=TODAY) == 14
    assert date_shift_days(reference=None, today=TODAY) == 0


@pytest.mark.django_db
def test_dates_move_forward_by_whole_weeks_and_avoid_holidays(
    organization, trainer, learner_account
):
    from relais.crm.demo import generate_customers

    reference = datetime.date(2023, 3, 15)
    template = WorkspaceFactory(organization=organization, kind=WorkspaceKind.TEMPLATE)
    generate_customers(workspace=template, count=30, seed=5, today=reference, owner=trainer)
    SchoolBase.objects.create(
        workspace=template, seed=5, reference_date=reference, customer_count=30
    )
    target = _fresh_sandbox(template)
    sandbox_clone_records(source=template, target=target, today=TODAY, owner=learner_account)
    shift = date_shift_days(reference=reference, today=TODAY)
    assert shift % 7 == 0 and 0 <= TODAY.toordinal() - reference.toordinal() - shift < 7

    source = {v.vin: v for v in Vehicle.objects.in_workspace(template)}
    holidays = sandboxes._holidays_between(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31))
    moved = 0
    for vehicle in Vehicle.objects.in_workspace(target):
        original = source[vehicle.vin].first_registration_date
        if original is None:
            continue
        expected = original + datetime.timedelta(days=shift)
        if expected in holidays:
            expected += datetime.timedelta(days=holidays[expected])
            moved += 1
        assert vehicle.first_registration_date == expected
    invoices = Invoice.objects.in_workspace(target)
    assert invoices.exists()
    for day in invoices.values_list("issued_on", flat=True):
        assert day not in holidays
    for when in Activity.objects.in_workspace(target).values_list("occurred_at", flat=True):
        local = when.astimezone(datetime.timezone(datetime.timedelta(hours=1))).date()
        assert when.date() not in holidays or local not in holidays
    # Orderings hold: an invoice is never before its vehicle's first registration moved along.
    source_issued = sorted(
        Invoice.objects.in_workspace(template).values_list("issued_on", flat=True)
    )
    target_issued = sorted(invoices.values_list("issued_on", flat=True))
    assert all(t >= s for s, t in zip(source_issued, target_issued, strict=True))


@pytest.mark.django_db
def test_leads_are_regenerated_within_21_days(school_template, learner_account):
    target = _fresh_sandbox(school_template)
    sandbox_clone_records(source=school_template, target=target, today=TODAY, owner=learner_account)
    leads = Lead.objects.in_workspace(target)
    assert leads.exists()
    template_ids = set(
        Lead.objects.in_workspace(school_template).values_list("public_id", flat=True)
    )
    assert not template_ids & set(leads.values_list("public_id", flat=True))
    for emitted in leads.values_list("emitted_at", flat=True):
        day = emitted.date()
        assert TODAY - datetime.timedelta(days=21) <= day <= TODAY


# --- services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_class_create_needs_a_template_of_the_organization(
    trainer, school_template, workspace, learner
):
    training_class = class_create(
        actor=trainer,
        organization=trainer.organization,
        name="Session d'automne",
        template=school_template,
    )
    assert training_class.trainer == trainer
    with pytest.raises(ValidationError, match="base école"):
        class_create(actor=trainer, organization=trainer.organization, name="X", template=workspace)
    from relais.core.exceptions import AccessDenied

    with pytest.raises(AccessDenied):
        class_create(
            actor=learner, organization=trainer.organization, name="X", template=school_template
        )


@pytest.mark.django_db
def test_learner_enroll_creates_the_account_and_the_sandbox(trainer, training_class):
    enrollment, password = learner_enroll(
        actor=trainer,
        training_class=training_class,
        username="jdupont",
        first_name="Jeanne",
        last_name="Dupont",
    )
    learner = enrollment.learner
    assert roles_held(learner, organization=training_class.organization) == {Role.LEARNER}
    assert roles_held(learner, workspace=enrollment.sandbox) == {Role.LEARNER}
    assert learner.check_password(password) and len(password) >= 12
    sandbox = enrollment.sandbox
    assert sandbox.kind == WorkspaceKind.SANDBOX and sandbox.template == training_class.template
    assert sandbox.name == "Bac à sable de Jeanne Dupont"
    assert Membership.objects.filter(workspace=sandbox, user=learner).exists()
    assert Customer.objects.in_workspace(sandbox).count() == 20
    with pytest.raises(ValidationError, match="déjà pris"):
        learner_enroll(actor=trainer, training_class=training_class, username="JDUPONT")
    with pytest.raises(ValidationError, match="déjà inscrit"):
        learner_enroll(actor=trainer, training_class=training_class, learner=learner)


@pytest.mark.django_db
def test_sandbox_create_refused_to_another_trainer(training_class, organization, learner_account):
    stranger = UserFactory(username="autreformateur", role=Role.TRAINER, organization=organization)
    with pytest.raises(NotFound):
        sandbox_create(actor=stranger, training_class=training_class, learner=learner_account)
    assert not Enrollment.objects.filter(learner=learner_account).exists()


@pytest.fixture
def cloned(trainer, training_class, learner_account):
    return sandbox_create(actor=trainer, training_class=training_class, learner=learner_account)


def _state(workspace):
    return {
        "customers": sorted(
            Customer.objects.in_workspace(workspace).values_list(
                "identity_key", "status", "sort_name"
            )
        ),
        "vehicles": sorted(Vehicle.objects.in_workspace(workspace).values_list("vin", "plate")),
        "invoices": Invoice.objects.in_workspace(workspace).count(),
        "persons": Person.objects.in_workspace(workspace).count(),
        "companies": Company.objects.in_workspace(workspace).count(),
        "links": CompanyContact.objects.filter(company__workspace=workspace).count(),
        "activities": Activity.objects.in_workspace(workspace).count(),
        "interactions": Interaction.objects.in_workspace(workspace).count(),
    }


@pytest.mark.django_db
def test_reset_restores_the_initial_state_after_edits_and_deletions(cloned):
    learner = cloned.learner
    sandbox = cloned.sandbox
    initial = _state(sandbox)
    customer = Customer.objects.in_workspace(sandbox).select_related("person", "company").first()
    Person.objects.in_workspace(sandbox).update(last_name="MODIFIÉ")
    entry = customer_delete(actor=learner, customer=customer)
    Vehicle.objects.in_workspace(sandbox).filter(customer__isnull=False).first().delete()
    assert _state(sandbox) != initial

    enrollment = sandbox_reset(actor=learner, enrollment=cloned)
    assert _state(sandbox) == initial
    assert enrollment.reset_count == 1 and enrollment.last_reset_at is not None
    assert not Person.objects.in_workspace(sandbox).filter(last_name="MODIFIÉ").exists()
    # The bin is emptied: the deletion made before the reset cannot be undone after it.
    assert not deleted_customers(user=learner, workspace=sandbox).exists()
    with pytest.raises(ValidationError, match="pas été conservée"):
        customer_restore(actor=learner, audit_entry_id=entry.pk, workspace=sandbox)
    assert (
        AuditEntry.objects.filter(action="training.sandbox_reset", workspace=sandbox).count() == 1
    )

    sandbox_reset(actor=cloned.training_class.trainer, enrollment=cloned)
    cloned.refresh_from_db()
    assert cloned.reset_count == 2


@pytest.mark.django_db
def test_reset_refused_to_another_learner_and_leaves_the_sandbox_alone(cloned, other_enrollment):
    sandbox = cloned.sandbox
    Person.objects.in_workspace(sandbox).update(last_name="TRAVAIL")
    with pytest.raises(NotFound, match="introuvable"):
        sandbox_reset(actor=other_enrollment.learner, enrollment=cloned)
    assert (
        Person.objects.in_workspace(sandbox).filter(last_name="TRAVAIL").count()
        == _state(sandbox)["persons"]
    )
    cloned.refresh_from_db()
    assert cloned.reset_count == 0


@pytest.mark.django_db
def test_reset_leaves_the_template_and_other_sandboxes_untouched(
    cloned, other_enrollment, school_template
):
    template_before = _state(school_template)
    other_before = _state(other_enrollment.sandbox)
    sandbox_reset(actor=cloned.learner, enrollment=cloned)
    assert _state(school_template) == template_before
    assert _state(other_enrollment.sandbox) == other_before


@pytest.mark.django_db
def test_content_types_used_by_the_generic_remap_exist():
    labels = {
        ct.model_class() for ct in ContentType.objects.get_for_models(*sandbox_models()).values()
    }
    assert Customer in labels


@pytest.mark.django_db
def test_dates_landing_on_a_holiday_move_to_the_next_working_day(organization, learner_account):
    from django.utils import timezone

    from tests.factories import ActivityFactory, CustomerFactory

    template = WorkspaceFactory(organization=organization, kind=WorkspaceKind.TEMPLATE)
    # Reference 2024-06-16: the sandbox for 2025-06-15 moves everything by 52 weeks (364 days).
    SchoolBase.objects.create(
        workspace=template, seed=1, reference_date=datetime.date(2024, 6, 16), customer_count=1
    )
    customer = CustomerFactory(workspace=template)
    paris = timezone.get_current_timezone()
    cases = {
        # source local time -> expected local time in the sandbox
        "bastille": (
            datetime.datetime(2024, 7, 15, 10, 0, tzinfo=paris),  # + 364 d = Mon 14 July 2025
            datetime.datetime(2025, 7, 15, 10, 0, tzinfo=paris),
        ),
        "late evening": (
            datetime.datetime(2024, 7, 15, 23, 30, tzinfo=paris),  # 21:30 UTC, still the 14th
            datetime.datetime(2025, 7, 15, 23, 30, tzinfo=paris),
        ),
        "plain day": (
            datetime.datetime(2024, 7, 16, 9, 0, tzinfo=paris),
            datetime.datetime(2025, 7, 15, 9, 0, tzinfo=paris),
        ),
        "ascension": (
            datetime.datetime(2024, 5, 30, 14, 0, tzinfo=paris),  # Thu 29 May 2025, Ascension
            datetime.datetime(2025, 5, 30, 14, 0, tzinfo=paris),
        ),
    }
    for subject, (when, _expected) in cases.items():
        ActivityFactory(
            workspace=template,
            customer=customer,
            subject=subject,
            occurred_at=when,
            next_follow_up_on=when.date(),
        )
    target = _fresh_sandbox(template)
    sandbox_clone_records(source=template, target=target, today=TODAY, owner=learner_account)
    for activity in Activity.objects.in_workspace(target):
        expected = cases[activity.subject][1]
        assert activity.occurred_at == expected, activity.subject
        assert activity.next_follow_up_on == expected.date(), activity.subject


@pytest.mark.django_db
def test_keys_stay_free_for_ordinary_inserts_after_a_clone(school_template, learner_account):
    """The copies take keys above every existing one; on PostgreSQL the sequences move past
    them, so the next ordinary insert and the next clone do not collide."""
    from tests.factories import CustomerFactory

    first = _fresh_sandbox(school_template)
    sandbox_clone_records(source=school_template, target=first, today=TODAY, owner=learner_account)
    created = CustomerFactory(workspace=first)
    assert created.pk > max(
        Customer.objects.in_workspace(first).exclude(pk=created.pk).values_list("pk", flat=True)
    )
    second = _fresh_sandbox(school_template)
    sandbox_clone_records(source=school_template, target=second, today=TODAY, owner=learner_account)
    assert Customer.objects.in_workspace(second).count() == 20
    assert CustomerFactory(workspace=second).pk > created.pk


@pytest.mark.django_db
def test_an_interaction_about_a_template_lead_loses_its_link(school_template, learner_account):
    from tests.factories import LeadFactory

    lead = LeadFactory(workspace=school_template)
    person = Person.objects.in_workspace(school_template).first()
    Interaction.objects.create(
        workspace=school_template,
        person=person,
        channel="web",
        direction="in",
        topic="lead",
        started_at=lead.emitted_at,
        source_type=ContentType.objects.get_for_model(Lead),
        source_id=lead.pk,
    )
    target = _fresh_sandbox(school_template)
    sandbox_clone_records(source=school_template, target=target, today=TODAY, owner=learner_account)
    copy = Interaction.objects.in_workspace(target).get(topic="lead")
    assert copy.source_type_id is None and copy.source_id is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reference", "today", "sources"),
    [
        # Winter template, summer sandbox (147 days = 21 weeks): 10:00 stays 10:00.
        (datetime.date(2025, 1, 19), TODAY, [(2025, 1, 21, 10, 0), (2025, 1, 22, 23, 30)]),
        # Summer template, winter sandbox (91 days).
        (datetime.date(2024, 9, 15), datetime.date(2024, 12, 15), [(2024, 9, 17, 10, 0)]),
        # The template itself straddles the change of 30 March 2025.
        (
            datetime.date(2025, 3, 16),
            TODAY,
            [(2025, 3, 25, 10, 0), (2025, 3, 31, 8, 15), (2025, 4, 1, 10, 0)],
        ),
    ],
    ids=["winter-to-summer", "summer-to-winter", "template-across-the-change"],
)
def test_appointments_keep_their_local_hour_across_daylight_saving(
    organization, learner_account, reference, today, sources
):
    from django.utils import timezone

    from relais.crm.models import Appointment
    from tests.factories import CustomerFactory

    paris = timezone.get_current_timezone()
    template = WorkspaceFactory(organization=organization, kind=WorkspaceKind.TEMPLATE)
    SchoolBase.objects.create(
        workspace=template, seed=1, reference_date=reference, customer_count=1
    )
    customer = CustomerFactory(workspace=template)
    shift = datetime.timedelta(days=date_shift_days(reference=reference, today=today))
    for index, parts in enumerate(sources):
        starts_at = datetime.datetime(*parts, tzinfo=paris)
        Appointment.objects.create(
            workspace=template,
            title=f"rdv {index}",
            customer=customer,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
        )
    target = _fresh_sandbox(template)
    sandbox_clone_records(source=template, target=target, today=today, owner=learner_account)
    cloned = {a.title: a for a in Appointment.objects.in_workspace(target)}
    assert len(cloned) == len(sources)
    for index, parts in enumerate(sources):
        source_local = datetime.datetime(*parts)
        local = timezone.localtime(cloned[f"rdv {index}"].starts_at, paris)
        ends = timezone.localtime(cloned[f"rdv {index}"].ends_at, paris)
        expected = source_local + shift  # none of these lands on a public holiday
        assert local.replace(tzinfo=None) == expected, index
        assert (ends - local) == datetime.timedelta(hours=1)


def _dates(workspace) -> list:
    return sorted(
        Activity.objects.in_workspace(workspace).values_list("occurred_at", "next_follow_up_on")
    ) + sorted(Interaction.objects.in_workspace(workspace).values_list("started_at", flat=True))


@pytest.mark.django_db
def test_a_reset_on_the_day_of_the_clone_gives_back_the_same_dates_from_one_scan_per_table(
    cloned,
):
    """The date bounds that the holiday moves need are read in one scan of each table (not
    one per date column), and the dates come back exactly as the clone made them."""
    import re

    from django.db import connection

    sandbox = cloned.sandbox
    initial = _dates(sandbox)
    Activity.objects.in_workspace(sandbox).update(next_follow_up_on=datetime.date(2030, 1, 2))
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        sandbox_reset(actor=cloned.learner, enrollment=cloned, today=cloned.materialised_for)
    assert _dates(sandbox) == initial
    scanned = [
        re.search(r'FROM "(\w+)" s', sql).group(1)
        for sql in statements
        # (not the key ranges: ``MIN(s."id")``)
        if sql.startswith("SELECT MIN(") and 'MIN(s."id")' not in sql
    ]
    assert "crm_activity" in scanned and "interactions_interaction" in scanned
    assert len(scanned) == len(set(scanned))


@pytest.mark.django_db
def test_sandboxes_of_a_template_are_copied_with_the_same_statements(
    school_template, learner_account
):
    """The keys' offsets are parameters, not part of the SQL: every sandbox of a template
    dated for the same day is copied by the same statement texts, which the database compiles
    once (SQLite's statement cache) instead of once per sandbox."""
    from django.db import connection

    later = TODAY + datetime.timedelta(weeks=52)
    copies = []
    for _ in range(2):
        statements = []

        def record(execute, sql, params, many, context, statements=statements):
            if sql.startswith("INSERT") and " SELECT " in sql:
                statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            sandbox_clone_records(
                source=school_template,
                target=_fresh_sandbox(school_template),
                today=later,
                owner=learner_account,
            )
        copies.append(statements)
    assert copies[0] and copies[0] == copies[1]


def test_a_datetime_column_over_years_stays_a_short_expression():
    """Each public holiday's branch moves its own day only, with that day's daylight-saving
    correction: not a CASE of every change over the column's years (ten years of holidays
    times twenty changes made statements of hundreds of kilobytes)."""
    from django.utils import timezone

    field = Interaction._meta.get_field("started_at")
    paris = timezone.get_current_timezone()
    low = datetime.datetime(2015, 1, 1, 9, tzinfo=paris)
    high = datetime.datetime(2025, 1, 1, 9, tzinfo=paris)
    sql, params = sandboxes._rolled_date_sql(Interaction, field, 's."started_at"', 364, (low, high))
    holidays = len(sandboxes._holidays_between(low.date(), high.date() + datetime.timedelta(364)))
    assert holidays > 100
    # The guard (two days a holiday), each branch's bounds, its own correction and the
    # plain move's daylight-saving pieces (two changes a year, both frames): linear.
    assert len(params) < 6 * holidays + 100
