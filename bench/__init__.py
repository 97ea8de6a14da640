"""Side-by-side benchmarks: `python -m bench --products N` (see docs/benchmarks.md)."""
