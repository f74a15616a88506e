"""The touchpoint log. Import ``record`` from ``relais.core.interactions.services``."""
