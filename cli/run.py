"""`skillgap run`, `skillgap demo` and `skillgap serve`: the main job from the command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def demo_config() -> Path:
    """The embedded demo's analysis config, found without importing the demo package."""
    import importlib.util

    spec = importlib.util.find_spec("skillgap.demo")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "demo.toml"


def _run(config: Path, outputs_dir: Path | None = None) -> dict:
    """Validate the config (before any work), then run the flow and print where things are."""
    from skillgap.config import get_settings
    from skillgap.flows.analysis_config import load_config
    from skillgap.flows.prefect_env import configure_prefect

    settings = get_settings()
    cfg = load_config(config)  # one clear error before any work starts
    configure_prefect(settings)
    from skillgap.taxonomies.store import load_taxonomy

    load_taxonomy(cfg.taxonomy.snapshot)  # fail now, not after ingestion, when none exists

    console.print(f"[bold]skills_gap_analysis[/] {cfg.run.name}: config {config}")
    from skillgap.flows.gap_flow import skills_gap_analysis

    result = skills_gap_analysis(
        str(Path(config).resolve()),
        outputs_dir=str(outputs_dir.resolve()) if outputs_dir else None,
    )
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
        f"mapped {m.get('vacancies_to_map', 0)} new vacancies and "
        f"{m.get('credentials_to_map', 0)} new credentials "
        f"({m.get('mentions_added', 0)} mentions); model {m.get('model_id')}"
    )
    paths = result["paths"]
    html = paths.get("html") or paths.get("report")
    console.print(f"outputs: [bold]{result['out_dir']}[/]")
    if html:
        console.print(f"report:  [bold green]{html}[/]")


def register(app: typer.Typer) -> None:
    """Add `run`, `demo` and `serve` to the root app."""

    @app.command("run")
    def run_cmd(
        config: Path = typer.Argument(
            ..., help="Analysis config (TOML): inputs, breakdowns, thresholds, report variants."
        ),
        outputs_dir: Path | None = typer.Option(
            None, "--outputs", help="Write outputs/<run-id>/ here (default ./outputs)."
        ),
    ) -> None:
        """Run the skills-gap analysis flow (ingest, map, analyse, report) for CONFIG."""
        _run(config, outputs_dir)

    @app.command("demo")
    def demo_cmd(
        outputs_dir: Path | None = typer.Option(
            None, "--outputs", help="Write outputs/<run-id>/ here (default ./outputs)."
        ),
    ) -> None:
        """Run the whole analysis on the embedded demo data (with planted signals)."""
        _run(demo_config(), outputs_dir)

    @app.command("serve")
    def serve_cmd(
        config: Path = typer.Argument(..., help="Analysis config (TOML) the scheduled runs use."),
        cron: str = typer.Option("0 6 * * 1", help="Cron schedule (default: Mondays 06:00)."),
        name: str | None = typer.Option(
            None, help="Deployment name (default: the config's run name)."
        ),
    ) -> None:
        """Serve a Prefect deployment running CONFIG on a schedule.

        Needs a Prefect server: set SKILLGAP_PREFECT_API_URL.
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
        from skillgap.flows.gap_flow import skills_gap_analysis

        skills_gap_analysis.serve(
            name=name or cfg.run.name,
            cron=cron,
            parameters={"config_path": str(Path(config).resolve())},
        )
