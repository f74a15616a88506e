"""Core contact selectors (access checks) and reachability per channel."""

import pytest
from django.contrib.auth.models import AnonymousUser

from relais.core.accounts.roles import Role
from relais.core.contacts.reachability import (
    Unreachable,
    contact_address,
    contact_reachability,
)
from relais.core.contacts.selectors import (
    companies_of_workspace,
    company_get,
    consent_history,
    person_get,
    persons_of_workspace,
)
from relais.core.contacts.services import consent_set
from relais.core.exceptions import AccessDenied, NotFound
from tests.factories import CompanyFactory, PersonFactory, UserFactory


def test_person_get_and_list(agent, workspace, other_workspace):
    mine = PersonFactory(workspace=workspace)
    PersonFactory(workspace=other_workspace)
    assert person_get(user=agent, workspace=workspace, public_id=str(mine.public_id)) == mine
    assert list(persons_of_workspace(user=agent, workspace=workspace)) == [mine]


def test_person_get_refusals(agent, other_agent, workspace, other_workspace):
    mine = PersonFactory(workspace=workspace)
    foreign = PersonFactory(workspace=other_workspace)
    # Another workspace's id, asked through my workspace: absent.
    with pytest.raises(NotFound):
        person_get(user=agent, workspace=workspace, public_id=foreign.public_id)
    # Another organization's user asking for my workspace: absent too.
    with pytest.raises(NotFound):
        person_get(user=other_agent, workspace=workspace, public_id=mine.public_id)
    with pytest.raises(NotFound):
        persons_of_workspace(user=other_agent, workspace=workspace)
    with pytest.raises(NotFound):
        person_get(user=agent, workspace=workspace, public_id="pas-un-identifiant")
    with pytest.raises(AccessDenied):
        person_get(user=AnonymousUser(), workspace=workspace, public_id=mine.public_id)


def test_selectors_need_the_view_permission(workspace):
    company = CompanyFactory(workspace=workspace)
    # A community member of the workspace: a role that is granted nothing on contacts.
    member = UserFactory(
        role=Role.MEMBER, organization=workspace.organization, workspaces=[workspace]
    )
    with pytest.raises(AccessDenied):
        company_get(user=member, workspace=workspace, public_id=company.public_id)
    with pytest.raises(AccessDenied):
        companies_of_workspace(user=member, workspace=workspace)


def test_company_get_and_list(agent, workspace, other_workspace):
    mine = CompanyFactory(workspace=workspace)
    foreign = CompanyFactory(workspace=other_workspace)
    assert company_get(user=agent, workspace=workspace, public_id=mine.public_id) == mine
    assert list(companies_of_workspace(user=agent, workspace=workspace)) == [mine]
    with pytest.raises(NotFound):
        company_get(user=agent, workspace=workspace, public_id=foreign.public_id)


def test_consent_history(agent, other_agent, workspace):
    person = PersonFactory(workspace=workspace)
    consent_set(actor=agent, contact=person, channel="sms", granted=True, source="comptoir")
    consent_set(actor=agent, contact=person, channel="sms", granted=False, source="appel")
    history = consent_history(user=agent, contact=person)
    assert [entry.after["source"] for entry in history] == ["appel", "comptoir"]
    with pytest.raises(NotFound):
        consent_history(user=other_agent, contact=person)


# --- reachability ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "fields", "reason"),
    [
        ("email", {"email": ""}, Unreachable.NO_EMAIL),
        ("sms", {"phone_mobile": ""}, Unreachable.NO_MOBILE),
        ("phone", {"phone_mobile": "", "phone_landline": ""}, Unreachable.NO_PHONE),
        ("mail", {"street": ""}, Unreachable.NO_ADDRESS),
    ],
)
def test_reachability_per_channel(workspace, channel, fields, reason):
    person = PersonFactory.build(
        workspace=workspace,
        street="12 rue de la Paix",
        phone_landline="01 23 45 67 89",
        **{f"consent_{channel}": True},
    )
    assert contact_reachability(person, channel) == (True, "")
    assert contact_address(person, channel)
    for name, value in fields.items():
        setattr(person, name, value)
    assert contact_reachability(person, channel) == (False, reason)
    setattr(person, f"consent_{channel}", False)
    assert contact_reachability(person, channel) == (False, Unreachable.NO_CONSENT)


def test_reachability_addresses_and_french_reasons(workspace):
    person = PersonFactory.build(
        workspace=workspace,
        street=" 12 rue de la Paix ",
        address_complement="Bât. B",
        postal_code="75011",
        city="Paris",
        phone_mobile="",
        phone_landline="01 23 45 67 89",
    )
    assert contact_address(person, "mail") == "12 rue de la Paix, Bât. B, 75011 Paris"
    assert contact_address(person, "phone") == "01 23 45 67 89"
    assert str(Unreachable.NO_CONSENT.label) == "Pas de consentement pour ce canal"
    assert str(Unreachable.NO_ADDRESS.label) == "Adresse postale incomplète"
