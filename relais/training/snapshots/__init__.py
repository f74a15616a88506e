"""Excel snapshots of a workspace's records: the file format (``workbook``) and its limits.

The business actions (permission checks, replacing a workspace's records) live in
``relais.training.services.snapshots``; the format is documented in
``docs/training/snapshot-format.md``.
"""
