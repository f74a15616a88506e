"""Agenda records for the isolation and accessibility sweeps: a recurring appointment."""

import datetime
import zoneinfo

from relais.crm.agenda.services import appointment_create
from tests.factories import CustomerFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _appointment(workspace, user, title):
    customer = CustomerFactory(workspace=workspace, person__last_name=f"Agenda {title}")
    start = datetime.datetime(2025, 6, 16, 10, tzinfo=PARIS)
    return appointment_create(
        actor=user,
        workspace=workspace,
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        customer=customer,
        location="Atelier",
        recurrence="weekly",
        recurrence_count=5,
    )


def foreign_records(workspace, agent) -> dict:
    return {"appointment_id": _appointment(workspace, agent, "Rendez-vous étrangerb").public_id}


def own_records(workspace, user) -> dict:
    return {"appointment_id": _appointment(workspace, user, "Rendez-vous d'essai").public_id}
