"""Targeting: segments of customers built from conditions on any of their records."""
