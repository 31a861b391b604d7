"""Benchmarks that print figures: ack latency, dispatch throughput, matching, memory, dates.

``make bench`` (``python -m bench``) runs them all and writes JSON to ``bench/results/``.
They are not part of ``make test``; ``tests/test_bench.py`` runs a tiny version so this code
keeps working.
"""
