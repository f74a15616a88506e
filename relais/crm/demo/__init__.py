"""Demo and school-database data.

* ``generator`` — ``generate_customers``: realistic, deterministic customers written in bulk;
* ``people`` and ``history`` — how one customer and their story are drawn;
* ``catalogue`` and ``identifiers`` — reference data and valid-by-construction identifiers;
* ``plan`` — a customer before it is written, with its search fields;
* ``bulk`` — the fast inserter;
* ``platform`` — the demo organization, workspaces and accounts (``manage.py load_demo``).
"""

from relais.crm.demo.generator import generate_customers

__all__ = ["generate_customers"]
