"""The pair comparison shows birth dates as French readers write them, never in ISO."""

import pytest
from django.urls import reverse

from relais.crm.models import DuplicateCandidate
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_pair_comparison_shows_french_birth_dates(agent_client, workspace):
    a = CustomerFactory(workspace=workspace, person__birth_date="1954-02-03")
    b = CustomerFactory(workspace=workspace, person__birth_date="1954-03-02")
    candidate = DuplicateCandidate.objects.create(
        workspace=workspace,
        customer_a=a,
        customer_b=b,
        score=0.6,
        sure=False,
        explanation=[
            {
                "field": "birth_date",
                "label": "Date de naissance",
                "value_a": "1954-02-03",
                "value_b": "1954-03-02",
                "similarity": 0.5,
                "level": 1,
                "weight": -2.0,
            },
            {
                "field": "city",
                "label": "Ville",
                "value_a": "Paris",
                "value_b": "2024-01-01 Paris",
                "similarity": 0.9,
                "level": 2,
                "weight": 1.0,
            },
        ],
    )
    html = agent_client.get(
        reverse("crm:dedup-pair", kwargs={"pair_id": candidate.public_id})
    ).content.decode()
    assert "03/02/1954" in html and "02/03/1954" in html
    assert "1954-02-03" not in html.split("<main")[1].split("</main>")[0]
    assert "2024-01-01 Paris" in html  # only a whole ISO date is rewritten
