"""Benchmarks: each script runs on its own (``python bench/bench_load.py``) and writes its README table."""
