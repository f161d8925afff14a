"""The Prefect flows and their tasks (ingest -> map -> analyse -> report) and the analysis
config they run; the only layer that knows Prefect."""

from skillgap.flows.prefect_env import static_defaults

static_defaults()
