"""`skillgap run`, `skillgap demo` and `skillgap serve`: the main job from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
err_console = Console(stderr=True)

_WORKERS = typer.Option(
    None,
    "--workers",
    "-w",
    min=1,
    help="Mapping workers (default: [run] workers, else 1 = in-process; more start a local "
    "Dask cluster).",
)
_DASK = typer.Option(
    None,
    "--dask-address",
    help="Map on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (default: [run] dask_address).",
)
_VERBOSE = typer.Option(
    False, "--verbose", "-v", help="Show Prefect's own log and full tracebacks."
)
_OUTPUTS = typer.Option(None, "--outputs", help="Write outputs/<run-id>/ here (default ./outputs).")


def demo_config() -> Path:
    """The embedded demo's analysis config, found without importing the demo package."""
    import importlib.util

    spec = importlib.util.find_spec("skillgap.demo")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "demo.toml"


def _run(
    config: Path,
    outputs_dir: Path | None = None,
    *,
    workers: int | None = None,
    dask_address: str | None = None,
    verbose: bool = False,
) -> dict:
    """Check everything that can be checked before any work, then run the flow.

    Checked up front, each a one-line error: the config (keys, values, input files, source
    profiles), the taxonomy, that the outputs folder is writable, that the store is not in
    use by another run, and that a configured Prefect server or Dask cluster answers.
    """
    import os
    import signal

    from skillgap.config import get_settings
    from skillgap.flows.analysis_config import load_config
    from skillgap.flows.prefect_env import configure_prefect

    settings = get_settings()
    cfg = load_config(config)  # one clear error before any work starts
    configure_prefect(settings, verbose=verbose)
    from skillgap.flows.gap_flow import (
        check_outputs_writable,
        execution_for,
        new_run_id,
        store_path_for,
    )
    from skillgap.flows.progress import Reporter, use_reporter
    from skillgap.flows.runners import check_address
    from skillgap.flows.server import prefect_api
    from skillgap.store import lock as store_lock
    from skillgap.taxonomies.store import load_taxonomy

    load_taxonomy(cfg.taxonomy.snapshot)  # fail now, not after ingestion, when none exists
    base_out = (outputs_dir or cfg.run.outputs_dir or settings.outputs_dir).resolve()
    check_outputs_writable(base_out)
    execution = execution_for(cfg, workers, dask_address)
    if execution.address:
        check_address(execution.address)
    store_path = store_path_for(cfg, settings)
    run_id = new_run_id(cfg.run.name)
    log_file = base_out / run_id / "run.log"

    # SIGTERM (a scheduler stopping the job) unwinds like Ctrl-C: mapping stops at its
    # next chunk, the run is recorded as crashed, the temporary server and any local
    # cluster are stopped. A second signal exits at once (the next run on the store marks
    # this one interrupted; committed partitions are kept either way).
    interrupted: list[int] = []

    def _terminate(signum: int, frame: Any) -> None:
        if interrupted:
            err_console.print("interrupted again: exiting now")
            os._exit(128 + signum)
        interrupted.append(signum)
        err_console.print("interrupted: stopping after the document chunk being mapped")
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {s: signal.signal(s, _terminate) for s in (signal.SIGTERM, signal.SIGINT)}
    use_reporter(Reporter(verbose=verbose))
    err_console.print(
        f"[bold]skills_gap_analysis[/] {escape(cfg.run.name)}: config {escape(str(config))}, "
        f"mapping {escape(execution.describe())}"
    )
    try:
        with store_lock.hold(store_path):
            from skillgap.flows.gap_flow import skills_gap_analysis

            with prefect_api(settings.prefect_api_url, settings.data_dir / "prefect"):
                result = skills_gap_analysis(
                    str(Path(config).resolve()),
                    run_id=run_id,
                    outputs_dir=str(base_out),
                    workers=workers,
                    dask_address=dask_address,
                )
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted: run {escape(run_id)} stopped; what was mapped and stored is kept, "
            "and the next run resumes from there"
        )
        raise SystemExit(128 + (interrupted[0] if interrupted else signal.SIGINT)) from None
    except Exception as exc:
        from skillgap.errors import EXIT_INTERNAL, SkillgapError

        if verbose or isinstance(exc, SkillgapError):
            raise
        err_console.print(
            f"[bold red]error:[/] the run failed: {escape(type(exc).__name__)}: {escape(str(exc))}"
        )
        if log_file.is_file():
            err_console.print(f"the traceback is in {escape(str(log_file))}; --verbose shows it")
        raise SystemExit(EXIT_INTERNAL) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    _print_summary(result)
    return result


def _print_summary(result: dict) -> None:
    table = Table(title=f"run {result['run_id']}", show_header=True)
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for stage, secs in result["timings"].items():
        table.add_row(stage, f"{secs:.1f}")
    console.print(table)
    m = result["mapping"]
    console.print(
        f"mapped {m.get('vacancies_to_map', 0):,} new vacancies and "
        f"{m.get('credentials_to_map', 0):,} new credentials "
        f"({m.get('mentions_added', 0):,} mentions, {m.get('partitions', 0)} partitions); "
        f"model {escape(str(m.get('model_id')))}"
    )
    changes = result.get("changes")
    previous = result.get("previous_run")
    if previous and changes is not None:
        overall = changes[changes["scope"] == "all"] if len(changes) else changes
        counts = overall["change"].value_counts().to_dict() if len(overall) else {}
        parts = [f"{counts.get(k, 0)} {k.replace('_', ' ')}" for k in ("new_gap", "closed_gap")]
        console.print(
            f"since run {escape(previous['run_id'])}: {', '.join(parts)}, "
            f"{counts.get('reclassified', 0)} reclassified (all vacancies)"
        )
    paths = result["paths"]
    html = paths.get("html") or paths.get("report")
    console.print(f"outputs: [bold]{escape(result['out_dir'])}[/]")
    if html:
        console.print(f"report:  [bold green]{escape(html)}[/]")


def register(app: typer.Typer) -> None:
    """Add `run`, `demo` and `serve` to the root app."""

    @app.command("run")
    def run_cmd(
        config: Path = typer.Argument(
            ..., help="Analysis config (TOML): inputs, breakdowns, thresholds, report variants."
        ),
        outputs_dir: Path | None = _OUTPUTS,
        workers: int | None = _WORKERS,
        dask_address: str | None = _DASK,
        verbose: bool = _VERBOSE,
    ) -> None:
        """Run the skills-gap analysis flow (ingest, map, analyse, report) for CONFIG."""
        _run(config, outputs_dir, workers=workers, dask_address=dask_address, verbose=verbose)

    @app.command("demo")
    def demo_cmd(
        outputs_dir: Path | None = _OUTPUTS,
        workers: int | None = _WORKERS,
        verbose: bool = _VERBOSE,
    ) -> None:
        """Run the whole analysis on the embedded demo data (with planted signals)."""
        _run(demo_config(), outputs_dir, workers=workers, verbose=verbose)

    @app.command("serve")
    def serve_cmd(
        config: Path = typer.Argument(..., help="Analysis config (TOML) the scheduled runs use."),
        cron: str = typer.Option("0 6 * * 1", help="Cron schedule (default: Mondays 06:00)."),
        name: str | None = typer.Option(
            None, help="Deployment name (default: the config's run name)."
        ),
        workers: int | None = _WORKERS,
        dask_address: str | None = _DASK,
    ) -> None:
        """Serve a Prefect deployment running CONFIG on a schedule.

        Needs a Prefect server: set SKILLGAP_PREFECT_API_URL. For a work-pool deployment
        instead, see prefect.yaml and docs/scheduling.md.
        """
        from skillgap.config import get_settings
        from skillgap.errors import ConfigError
        from skillgap.flows.analysis_config import load_config
        from skillgap.flows.prefect_env import configure_prefect

        settings = get_settings()
        cfg = load_config(config)
        if not settings.prefect_api_url:
            raise ConfigError(
                "a schedule needs a running Prefect server: start one with `prefect server start` "
                "and set SKILLGAP_PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)"
            )
        configure_prefect(settings)
        from skillgap.flows.server import check_server

        check_server(settings.prefect_api_url)
        from skillgap.flows.gap_flow import skills_gap_analysis

        parameters: dict[str, Any] = {"config_path": str(Path(config).resolve())}
        if workers:
            parameters["workers"] = workers
        if dask_address:
            parameters["dask_address"] = dask_address
        skills_gap_analysis.serve(name=name or cfg.run.name, cron=cron, parameters=parameters)
