"""Records of the de-duplication tools for the isolation and accessibility sweeps:
a candidate pair, a merge (undoable) and a cleaning batch."""

from relais.crm.dedup.cleaning import cleaning_apply
from relais.crm.dedup.merge import customers_merge
from relais.crm.models import DuplicateCandidate
from tests.factories import CustomerFactory


def _records(workspace, user, marker: str) -> dict:
    a = CustomerFactory(
        workspace=workspace,
        person__first_name="Hélène",
        person__last_name=f"{marker}Doublon",
        person__email="helene.doublon@exemple.fr",
    )
    b = CustomerFactory(
        workspace=workspace,
        person__first_name="Helene",
        person__last_name=f"{marker}DOUBLON",
        person__email="helene.doublon@exemple.fr",
    )
    low, high = sorted((a, b), key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(
        workspace=workspace,
        customer_a=low,
        customer_b=high,
        score=0.97,
        sure=True,
        explanation=[
            {
                "field": "last_name",
                "label": "Nom",
                "value_a": low.person.last_name,
                "value_b": high.person.last_name,
                "similarity": 1.0,
                "level": "identique",
                "weight": 6.4,
            }
        ],
    )
    merged_away = CustomerFactory(workspace=workspace, person__last_name=f"{marker}Absorbé")
    kept = CustomerFactory(workspace=workspace, person__last_name=f"{marker}Conservé")
    merge = customers_merge(actor=user, survivor=kept, absorbed=merged_away, choices={})
    batch = cleaning_apply(
        actor=user,
        workspace=workspace,
        operations=["names"],
        changes=[
            {
                "customer_id": str(kept.public_id),
                "customer_name": kept.display_name,
                "contact": "person",
                "contact_pk": kept.person_id,
                "field": "first_name",
                "before": kept.person.first_name,
                "after": kept.person.first_name.upper(),
            }
        ],
    )
    return {
        "pair_id": candidate.public_id,
        "merge_id": merge.public_id,
        "batch_id": batch.public_id,
    }


def foreign_records(workspace, agent) -> dict:
    return _records(workspace, agent, "Étrangerb")


def own_records(workspace, user) -> dict:
    return _records(workspace, user, "Propre")
