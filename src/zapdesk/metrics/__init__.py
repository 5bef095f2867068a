"""Operational metrics: what workers count (messages in and out, failures, ingest latency), how those counts reach
the API processes, and the Prometheus text served at `/metrics`.
"""
