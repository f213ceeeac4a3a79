"""Benchmarks of the concurrency-critical and latency-critical inventory paths (`make bench`)."""
