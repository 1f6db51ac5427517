"""Benchmarks, metrics (greedy, pass@k, maj@k with CIs), tables and plots."""
