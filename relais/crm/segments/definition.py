"""The JSON document a segment is saved as (``Segment.definition``).

    {
      "match": "all",                    # "all" (AND) or "any" (OR)
      "conditions": [                    # conditions and nested groups, any depth
        {"field": "customer.city", "op": "eq", "value": "Lyon"},
        {"field": "vehicle.first_registration_on", "op": "older_than",
         "value": {"amount": 4, "unit": "years"}},
        {"match": "any", "conditions": [...]}
      ],
      "sort": [{"field": "computed.revenue", "dir": "desc"}, {"field": "customer.last_name"}]
    }

A field is ``<entity>.<name>``: entity one of customer, vehicle, invoice, activity, note, lead,
computed. A condition on a related entity matches the customers that have at least one such
record meeting it. The catalogue of fields and operators lives next to this module.
"""

EMPTY = {"match": "all", "conditions": [], "sort": []}
