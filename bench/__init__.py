"""Benchmarks of Relais (``make bench``, i.e. ``python -m bench``).

Each module exposes ``main(argv) -> int``; it sets up what it measures itself, prints its
figures and their ratio to a named baseline run on the same data in the same run.
Benchmarks are not tests: they measure, they do not assert.
"""
