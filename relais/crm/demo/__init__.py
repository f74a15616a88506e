"""Demo and school-database data.

* ``generator`` — ``generate_customers``: realistic, deterministic customers written in bulk,
  and ``generate_leads``: recent leads for a base (sandbox creation and reset);
* ``anomalies`` — the deliberate defects of a school database and their list;
* ``people`` and ``history`` — how one customer and their story are drawn;
* ``catalogue`` and ``identifiers`` — reference data and valid-by-construction identifiers;
* ``plan`` — a customer before it is written, with its search fields;
* ``bulk`` — the fast inserter;
* ``platform`` — the demo organization, workspaces and accounts (``manage.py load_demo``).
"""

from relais.crm.demo.generator import generate_customers, generate_leads

__all__ = ["generate_customers", "generate_leads"]
