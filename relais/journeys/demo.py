"""Demo data: the body's designed journeys, one per template (idempotent).

``load_journeys_demo(organization)`` creates, for each template of ``templates_catalogue``,
the journey built from it unless the organization already has a journey (alive or in the bin)
from that template; run it again and nothing changes. Returns the journeys created.
"""

from django.db import transaction

from relais.journeys.models import Journey
from relais.journeys.services import journey_from_template
from relais.journeys.templates_catalogue import TEMPLATES


@transaction.atomic
def load_journeys_demo(organization) -> list[Journey]:
    existing = set(
        Journey.objects.filter(organization=organization).values_list("template_key", flat=True)
    )
    return [journey_from_template(key, organization) for key in TEMPLATES if key not in existing]
