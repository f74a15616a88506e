"""The single front door (seed ``003_…``): employers' requests from every channel, routed to
the competent bodies, referents' shared space, committed deadlines, critical events.

Built on the shared kernel only: it imports ``relais.core`` and never another app (the
import-linter contracts in ``pyproject.toml`` say so). Requesters are core contacts, every
step is a touchpoint of core's interaction log keyed by the request, and resolved requests
feed core's knowledge base.
"""
