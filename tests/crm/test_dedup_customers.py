"""``find_duplicate_customers`` on a generated CRM workspace with known anomalies."""

import datetime
from itertools import combinations

import pytest

from relais.core.exceptions import NotFound
from relais.crm.dedup import SURE
from relais.crm.dedup.customers import customer_records, find_duplicate_customers
from relais.crm.demo import generate_customers
from relais.crm.models import Customer

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def generated(workspace):
    anomalies = []
    generate_customers(workspace=workspace, count=400, seed=5, today=TODAY, anomalies=anomalies)
    by_key: dict[str, list[str]] = {}
    for key, public_id in Customer.objects.in_workspace(workspace).values_list(
        "identity_key", "public_id"
    ):
        by_key.setdefault(key, []).append(str(public_id))
    return anomalies, by_key


def _pairs(anomalies, by_key, kinds):
    out = set()
    for anomaly in anomalies:
        if anomaly["kind"] in kinds:
            keys = [record["identity_key"] for record in anomaly["records"]]
            ids = [public_id for key in dict.fromkeys(keys) for public_id in by_key[key]]
            out.update(frozenset(pair) for pair in combinations(ids, 2))
    return out


def test_listed_duplicates_are_found_and_homonyms_not_sure(generated, workspace, agent):
    anomalies, by_key = generated
    duplicates = _pairs(anomalies, by_key, {"duplicate", "typo"})
    homonyms = _pairs(anomalies, by_key, {"homonym"})
    assert duplicates and homonyms  # the fixture draws both kinds
    pairs = find_duplicate_customers(workspace, user=agent, threshold=0.01)
    by_pair = {frozenset((p.id_a, p.id_b)): p for p in pairs}
    for pair in duplicates:
        assert pair in by_pair and by_pair[pair].score >= 0.5, pair
    for pair in homonyms:
        assert pair not in by_pair or not by_pair[pair].sure
        assert pair not in by_pair or by_pair[pair].score < SURE
    # Every true duplicate pair of the base, listed or not, is proposed; few others are.
    true_pairs = {frozenset(pair) for ids in by_key.values() for pair in combinations(ids, 2)}
    proposed = {pair for pair, p in by_pair.items() if p.score >= 0.5}
    assert true_pairs <= proposed
    assert len(proposed - true_pairs) <= max(2, len(true_pairs) // 20)


def test_learned_weights_keep_homonyms_below_sure(generated, workspace, agent):
    anomalies, by_key = generated
    homonyms = _pairs(anomalies, by_key, {"homonym"})
    duplicates = _pairs(anomalies, by_key, {"duplicate", "typo"})
    pairs = find_duplicate_customers(workspace, user=agent, learn=True, explain=False)
    by_pair = {frozenset((p.id_a, p.id_b)): p for p in pairs}
    assert duplicates <= set(by_pair)
    assert not any(by_pair[pair].sure for pair in homonyms if pair in by_pair)


def test_pairs_carry_explanations(generated, workspace, agent):
    pairs = find_duplicate_customers(workspace, user=agent)
    assert pairs
    fields = {f.field for f in pairs[0].fields}
    assert {"first_name", "last_name", "birth_date", "phone", "vehicle"} <= fields
    assert all(f.level for f in pairs[0].fields)


def test_records_include_vehicles_and_companies(generated, workspace):
    records = customer_records(workspace)
    assert len(records) == 400
    assert any(record["vin"] for record in records)
    assert any(record.get("identifier") for record in records)  # companies' SIRET


def test_another_workspace_is_refused(generated, workspace, other_agent):
    with pytest.raises(NotFound):
        find_duplicate_customers(workspace, user=other_agent)
