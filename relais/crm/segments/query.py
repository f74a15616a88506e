"""From a segment's definition to the queryset of its customers.

PLACEHOLDER written before the segment builder: it understands only ``customer.<field>``
with ``eq``; the builder's implementation replaces it, keeping this signature.
"""

from django.db.models import Q, QuerySet

from relais.crm.models import Customer, Segment


def segment_customers(segment: Segment) -> QuerySet[Customer]:
    """The customers of ``segment``'s workspace that meet its conditions, in its sort order."""
    definition = segment.definition or {}
    combined = Q()
    for condition in definition.get("conditions", []):
        field = condition["field"].removeprefix("customer.")
        term = Q(**{field: condition["value"]})
        combined = combined | term if definition.get("match") == "any" else combined & term
    return Customer.objects.in_workspace(segment.workspace).filter(combined)
