"""Consent per channel and reachability: who is excluded, and why, before sending."""

import pytest

from relais.core.contacts.models import Person
from relais.crm.campaigns.services import campaign_audience, campaign_create
from relais.crm.models import CampaignRecipient, CustomerKind, ExclusionReason
from tests.crm.campaign_helpers import consenting_customer, segment
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _audience(agent, workspace, channel):
    campaign = campaign_create(
        actor=agent, workspace=workspace, name="Test", channel=channel, segment=segment(workspace)
    )
    audience = campaign_audience(campaign)
    included = {c.person.last_name for c, _a in audience.included}
    excluded = {c.person.last_name: reason for c, reason in audience.excluded}
    return included, excluded, audience


@pytest.mark.parametrize(
    ("channel", "consent_field", "coordinate", "reason"),
    [
        ("email", "consent_email", {"email": ""}, ExclusionReason.NO_EMAIL),
        ("sms", "consent_sms", {"phone_mobile": ""}, ExclusionReason.NO_MOBILE),
        ("letter", "consent_mail", {"street": ""}, ExclusionReason.NO_ADDRESS),
        ("letter", "consent_mail", {"postal_code": "", "city": ""}, ExclusionReason.NO_ADDRESS),
        ("letter", "consent_mail", {"city": ""}, ExclusionReason.NO_ADDRESS),
    ],
)
def test_each_channel_reads_its_own_consent_and_coordinate(
    agent, workspace, channel, consent_field, coordinate, reason
):
    consenting_customer(workspace, person__last_name="Oui")
    consenting_customer(workspace, person__last_name="Refus", **{f"person__{consent_field}": False})
    consenting_customer(
        workspace,
        person__last_name="Injoignable",
        **{f"person__{k}": v for k, v in coordinate.items()},
    )
    included, excluded, audience = _audience(agent, workspace, channel)
    assert included == {"Oui"}
    assert excluded == {"Refus": ExclusionReason.NO_CONSENT, "Injoignable": reason}
    assert dict(audience.reasons) == {ExclusionReason.NO_CONSENT: 1, reason: 1}


@pytest.mark.parametrize(
    ("channel", "other_consents"),
    [
        ("email", ["consent_sms", "consent_mail", "consent_phone"]),
        ("sms", ["consent_email", "consent_mail", "consent_phone"]),
        ("letter", ["consent_email", "consent_sms", "consent_phone"]),
    ],
)
def test_consent_on_another_channel_does_not_count(agent, workspace, channel, other_consents):
    person = {
        "person__consent_email": False,
        "person__consent_sms": False,
        "person__consent_mail": False,
    }
    person.update({f"person__{field}": True for field in other_consents})
    consenting_customer(workspace, person__last_name="Ailleurs", **person)
    included, excluded, _audience_ = _audience(agent, workspace, channel)
    assert included == set()
    assert excluded == {"Ailleurs": ExclusionReason.NO_CONSENT}


def test_consent_is_checked_before_reachability(agent, workspace):
    consenting_customer(
        workspace, person__last_name="Rien", person__consent_email=False, person__email=""
    )
    _included, excluded, _a = _audience(agent, workspace, "email")
    assert excluded == {"Rien": ExclusionReason.NO_CONSENT}


@pytest.mark.parametrize(
    ("channel", "shared"),
    [
        ("email", {"email": "famille@exemple.fr"}),
        ("sms", {"phone_mobile": "06 11 22 33 44"}),
        ("letter", {"street": "3 place Bellecour", "postal_code": "69002", "city": "Lyon"}),
    ],
)
def test_a_shared_coordinate_gets_one_message(agent, workspace, channel, shared):
    fields = {f"person__{k}": v for k, v in shared.items()}
    consenting_customer(workspace, person__last_name="Aaa", **fields)
    consenting_customer(workspace, person__last_name="Bbb", **fields)
    included, excluded, _a = _audience(agent, workspace, channel)
    assert included == {"Aaa"}
    assert excluded == {"Bbb": ExclusionReason.DUPLICATE}


def test_email_duplicates_ignore_case_and_spaces(agent, workspace):
    consenting_customer(workspace, person__last_name="Aaa", person__email="Marc@Exemple.fr")
    consenting_customer(workspace, person__last_name="Bbb", person__email="marc@exemple.fr")
    _i, excluded, _a = _audience(agent, workspace, "email")
    assert excluded == {"Bbb": ExclusionReason.DUPLICATE}


def test_unsubscribed_earlier_is_reported_as_such(agent, workspace):
    customer = consenting_customer(workspace, person__last_name="Parti", person__consent_sms=False)
    earlier = campaign_create(
        actor=agent, workspace=workspace, name="Avant", channel="sms", customer=customer
    )
    CampaignRecipient.objects.create(
        workspace=workspace, campaign=earlier, customer=customer, unsubscribed=True
    )
    _i, excluded, _a = _audience(agent, workspace, "sms")
    assert excluded == {"Parti": ExclusionReason.UNSUBSCRIBED}
    # An unsubscription from e-mails says nothing about letters.
    _i, excluded, _a = _audience(agent, workspace, "letter")
    assert excluded == {}


def test_companies_use_the_company_coordinates(agent, workspace):
    company = CustomerFactory(
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        company__email="contact@transports.fr",
        company__consent_email=True,
    )
    campaign = campaign_create(
        actor=agent, workspace=workspace, name="Flottes", channel="email", customer=company
    )
    audience = campaign_audience(campaign)
    assert [(c.pk, address) for c, address in audience.included] == [
        (company.pk, "contact@transports.fr")
    ]


def test_the_audience_reads_consents_as_stored_now(agent, workspace):
    customer = consenting_customer(workspace, person__last_name="Change")
    campaign = campaign_create(
        actor=agent, workspace=workspace, name="E", channel="email", customer=customer
    )
    assert len(campaign_audience(campaign).included) == 1
    Person.objects.filter(pk=customer.person_id).update(consent_email=False)
    audience = campaign_audience(campaign)
    assert audience.included == []
    assert audience.reasons == [(ExclusionReason.NO_CONSENT, 1)]


def test_exclusion_reasons_share_the_core_reachability_codes_and_texts():
    from relais.core.contacts.reachability import Unreachable

    for code in ("no_consent", "no_email", "no_mobile", "no_address"):
        assert str(ExclusionReason(code).label) == str(Unreachable(code).label)
