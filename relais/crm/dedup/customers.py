"""De-duplication of a workspace's CRM customers (people and companies)."""

from collections import defaultdict
from collections.abc import Callable

from relais.core.accounts.permissions import ensure_permission
from relais.core.workspaces.models import Workspace
from relais.crm.dedup.engine import Pair, find_duplicates
from relais.crm.dedup.weights import DECISION, Weights
from relais.crm.models import Customer, Vehicle
from relais.crm.permissions import Permission

_PERSON = (
    "person__first_name",
    "person__last_name",
    "person__birth_date",
    "person__email",
    "person__phone_mobile",
    "person__phone_landline",
    "person__street",
    "person__postal_code",
    "person__city",
)
_COMPANY = (
    "company__legal_name",
    "company__trade_name",
    "company__siret",
    "company__email",
    "company__phone_mobile",
    "company__phone_landline",
    "company__street",
    "company__postal_code",
    "company__city",
)


def customer_records(workspace: Workspace) -> list[dict]:
    """The workspace's customers as engine records, ``id`` being the customer's public id.
    Two queries, whatever the size: customers with their contact, then vehicles."""
    vehicles: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"vin": [], "plate": []})
    for customer_id, vin, plate in Vehicle.objects.in_workspace(workspace).values_list(
        "customer_id", "vin", "plate"
    ):
        if vin:
            vehicles[customer_id]["vin"].append(vin)
        if plate:
            vehicles[customer_id]["plate"].append(plate)
    records = []
    rows = (
        Customer.objects.in_workspace(workspace)
        .order_by("id")
        .values("id", "public_id", "person_id", *_PERSON, *_COMPANY)
    )
    for row in rows.iterator(chunk_size=5000):
        owned = vehicles.get(row["id"], {"vin": [], "plate": []})
        if row["person_id"] is not None:
            record = {
                "id": str(row["public_id"]),
                "first_name": row["person__first_name"],
                "last_name": row["person__last_name"],
                "birth_date": row["person__birth_date"],
                "email": row["person__email"],
                "phone": [row["person__phone_mobile"], row["person__phone_landline"]],
                "street": row["person__street"],
                "postal_code": row["person__postal_code"],
                "city": row["person__city"],
            }
        else:
            # A company's name goes where a person's last name goes: both are "who".
            record = {
                "id": str(row["public_id"]),
                "last_name": row["company__legal_name"] or row["company__trade_name"],
                "identifier": row["company__siret"],
                "email": row["company__email"],
                "phone": [row["company__phone_mobile"], row["company__phone_landline"]],
                "street": row["company__street"],
                "postal_code": row["company__postal_code"],
                "city": row["company__city"],
            }
        record.update(owned)
        records.append(record)
    return records


def find_duplicate_customers(
    workspace: Workspace,
    *,
    user,
    threshold: float = DECISION,
    explain: bool = True,
    weights: Weights | None = None,
    learn: bool | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Pair]:
    """Candidate duplicate customers of ``workspace`` the user may see, best first, each
    pair (customer public ids) with its score, ``sure`` flag and, when ``explain``, its
    field-by-field explanation — what a review screen or a merge wizard shows. ``learn``:
    as ``find_duplicates`` (by default weights learned on this base unless the fit is
    degenerate; households, namesakes and twins capped by the rules either way)."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return find_duplicates(
        customer_records(workspace),
        threshold=threshold,
        explain=explain,
        weights=weights,
        learn=learn,
        workers=workers,
        progress=progress,
    )
