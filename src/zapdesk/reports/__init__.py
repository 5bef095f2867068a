"""Reports: read-only aggregates over the tickets' metric columns (`tickets.metrics`), for the dashboard."""
