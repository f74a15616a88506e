"""Relais — open-source customer-relationship platform for public services and training."""
