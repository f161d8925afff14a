"""The Prefect flows and their tasks (ingest -> map -> analyse -> report) and the analysis
config they run; the only layer that knows Prefect."""
