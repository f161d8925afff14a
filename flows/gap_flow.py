"""The main job: the ``skills_gap_analysis`` Prefect flow (ingest -> map -> analyse -> report).

Only this package knows Prefect. Each stage is a task that calls a plain function of its
layer, so the same work can be driven from a notebook or a test without Prefect.

Incremental by content: ingestion skips files already stored (checksum), mapping skips
documents whose (content hash, taxonomy, model) were mapped before (``mapping_log``), so a
re-run with the same inputs maps nothing again and only re-analyses and re-renders.
Mapping runs in partitions, each committed on its own (``partitions.py``), in-process or
on Dask (``runners.py``); a killed run resumes where it stopped.

Prefect as its users expect: no task hashes its inputs for a cache nobody uses
(``NO_CACHE``); retries fire only for transient errors (``transient``), never for bad
input; the run's row in ``runs`` is finished by flow-state hooks (``bookkeeping.py``);
each run publishes artifacts (``artifacts.py``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run

from skillgap.config import Settings, get_settings
from skillgap.errors import ConfigError, SkillgapError
from skillgap.fileutil import sha256_file
from skillgap.flows import bookkeeping, partitions
from skillgap.flows.analysis_config import AnalysisConfig, analysis_params, load_config
from skillgap.flows.bookkeeping import code_version, jsonable
from skillgap.flows.partitions import (
    MappingKey,
    PartitionResult,
    map_partition,
    prepare_plan,
    run_partitions,
)
from skillgap.flows.progress import reporter
from skillgap.flows.runners import Execution, task_runner


def store_path_for(cfg: AnalysisConfig, settings: Settings) -> Path:
    return cfg.run.store or settings.data_dir / "stores" / f"{cfg.run.name}.duckdb"


def spool_path_for(cfg: AnalysisConfig, store_path: Path) -> Path:
    """Where workers leave partition results: beside the store unless the config says."""
    return cfg.run.spool or store_path.with_name(store_path.name + ".spool")


# Retries: transient errors only -------------------------------------------------------

_TRANSIENT_ERRNOS = {
    errno.EAGAIN,
    errno.EBUSY,
    errno.EINTR,
    errno.EIO,
    errno.ETIMEDOUT,
    errno.ECONNRESET,
    errno.ECONNREFUSED,
    errno.ECONNABORTED,
    errno.EPIPE,
}


def is_transient(exc: BaseException | None) -> bool:
    """A failure worth another try: a busy file, a dropped connection, an I/O hiccup.

    Bad input (``SkillgapError``), bugs (anything else) and missing or unreadable files
    fail the same way every time, so they are never retried.
    """
    if exc is None or isinstance(exc, SkillgapError):
        return False
    if isinstance(exc, ConnectionError | TimeoutError | InterruptedError | BlockingIOError):
        return True
    if isinstance(exc, OSError):
        return exc.errno in _TRANSIENT_ERRNOS
    import duckdb

    # another process briefly holding the store file (e.g. `skillgap store info`)
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry condition: retry only when the task failed transiently."""
    try:
        state.result()
    except BaseException as exc:
        return is_transient(exc)
    return False


# Stages -------------------------------------------------------------------------------


@task(
    name="ingest",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=transient,
)
def ingest_task(
    store_path: str, kind: str, path: str, profile: str | None, fmt: str | None
) -> dict:
    """Ingest one input file (a no-op when its checksum is already stored)."""
    from skillgap.ingest.api import ingest_credentials, ingest_vacancies
    from skillgap.store import Store

    rep = reporter()
    t0 = time.perf_counter()
    with Store.open(Path(store_path)) as store:
        if kind == "vacancies":
            report = ingest_vacancies(Path(path), profile or "generic", store, progress=rep.rich)
        else:
            report = ingest_credentials(
                Path(path), store, profile=profile, fmt=fmt, progress=rep.rich
            )
    result = jsonable(report)
    if result.get("skipped"):
        rep.info(f"ingest {Path(path).name} ({kind}): already stored, nothing to do")
    else:
        counts = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in report.counts.items())
        rep.info(f"ingest {Path(path).name} ({kind}): {counts} in {time.perf_counter() - t0:.1f} s")
    return result


@task(
    name="map-partition",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=5,
    retry_condition_fn=transient,
)
def map_partition_task(spec: Any) -> PartitionResult:
    """Map one partition on whichever worker gets it; results go to the spool as files."""
    return map_partition(spec)


def _ensure_indexes(
    settings: Settings, taxonomy: Any, model_path: Path | None, model_id: str, occupations: bool
) -> None:
    """Build the one-time skill (and occupation) index here, labelled, before any worker
    needs it: workers then only load it, and never race to build the same one."""
    from skillgap.nlp.index import cache_path, taxonomy_key

    rep = reporter()
    where = cache_path(settings.cache_dir, taxonomy_key(taxonomy), model_id)
    if not (where / "meta.json").is_file():
        from skillgap.nlp.mapper import SkillMapper

        n = len(taxonomy.skills)
        with rep.stage(f"skill index (one-time build for {n:,} ESCO skills)"):
            SkillMapper.load(taxonomy, settings, model_path=model_path, progress=False)
    if occupations and taxonomy.has("occupations"):
        from skillgap.nlp.occupations import map_occupations

        with rep.stage("occupation index (built once, then cached)"):
            map_occupations(
                ["-"], ["-"], taxonomy, top_k=1, settings=settings, model_path=model_path
            )


@flow(name="map_documents", log_prints=False)
def map_documents(
    store_path: str,
    snapshot: str | None,
    model_path: str | None,
    settings: dict[str, Any],
    partition_size: int,
    spool: str,
    workers: int = 1,
    dask_address: str | None = None,
    corrections: str | None = None,
) -> dict:
    """Map every stored document not yet mapped with this taxonomy, model and corrections,
    partition by partition, on the task runner this flow was given; commit each partition
    as it lands."""
    from skillgap.nlp.documents import mapping_id, method_notes
    from skillgap.store import Store

    rep = reporter()
    sett = Settings(**settings)
    model = Path(model_path) if model_path else None
    spool_dir = Path(spool)
    execution = Execution(workers=workers, address=dask_address)
    with Store.open(Path(store_path)) as store:
        from skillgap.nlp.embed import model_id as encoder_id
        from skillgap.nlp.embed import resolve_model_path
        from skillgap.taxonomies.store import load_taxonomy

        taxonomy = load_taxonomy(snapshot, sett)
        fixes = None
        if corrections:
            from skillgap.nlp.corrections import load_corrections

            fixes = load_corrections(Path(corrections), taxonomy)
        encoder = encoder_id(resolve_model_path(sett, model))
        # the mapping id names everything fitted around the encoder and the corrections,
        # so a refit or an edited corrections file maps the documents again
        key = MappingKey(
            taxonomy.snapshot_id or taxonomy.version,
            mapping_id(encoder, *([fixes.digest.encode()] if fixes is not None else [])),
        )

        map_plan = prepare_plan(store, key, partition_size, spool_dir)
        if map_plan.adopted:
            rep.info(
                f"map: loaded {map_plan.adopted} partition(s) a previous run had mapped but "
                "not yet stored"
            )
        result: dict[str, Any] = {
            "vacancies_to_map": map_plan.todo["vacancy"],
            "credentials_to_map": map_plan.todo["credential"],
            "vacancies_already_mapped": map_plan.done["vacancy"],
            "credentials_already_mapped": map_plan.done["credential"],
            "model_id": key.model_id,
            "mentions_added": 0,
            "partitions": 0,
            "adopted_partitions": map_plan.adopted,
            "partition_size": partition_size,
            "execution": execution.describe(),
            "method": method_notes(encoder, fixes),
        }
        total = map_plan.total
        if total == 0:
            rep.info("map: every stored document is already mapped with this taxonomy and model")
            return result
        _ensure_indexes(sett, taxonomy, model, encoder, map_plan.todo["vacancy"] > 0)
        progress_id = _progress_artifact(total)
        label = (
            f"map {map_plan.todo['vacancy']:,} vacancies + "
            f"{map_plan.todo['credential']:,} credentials"
        )
        with rep.stage(label, total=total, unit="docs") as stage:

            def loaded(part: PartitionResult, counts: dict[str, int]) -> None:
                stage.advance(part.n_docs)
                rep.debug(
                    f"partition {part.name}: {part.n_docs} docs, {part.n_mentions} mentions, "
                    f"{part.seconds:.1f} s ({part.cpu_seconds:.1f} CPU-s) on {part.worker}"
                )
                _update_progress(progress_id, stage.done / total)

            partitions.CANCEL.clear()
            try:
                stats = run_partitions(
                    store,
                    map_plan,
                    key,
                    submit=map_partition_task.submit,
                    next_done=lambda pending: next(as_completed(pending)),
                    result=lambda future: future.result(),
                    in_flight=execution.in_flight(),
                    spec_args={
                        "snapshot": snapshot,
                        "model_path": model_path,
                        "settings": settings,
                        "spool": spool_dir,
                        "occupations": taxonomy.has("occupations"),
                        "corrections": corrections,
                    },
                    on_loaded=loaded,
                )
            except BaseException:
                partitions.CANCEL.set()  # in-process workers stop at their next chunk
                raise
            finally:
                if execution.in_process:
                    partitions.release_mappers()
        with contextlib.suppress(OSError):
            spool_dir.rmdir()  # only when empty: nothing is left in flight
        result["partitions"] = stats["partitions"]
        result["mentions_added"] = stats["mentions_added"]
        if stats["seconds"]:
            result["partition_seconds_median"] = round(statistics.median(stats["seconds"]), 2)
            result["partition_cpu_seconds_median"] = round(statistics.median(stats["cpu"]), 2)
            result["cpu_seconds_total"] = round(sum(stats["cpu"]), 1)
            result["load_seconds_total"] = round(stats["load_seconds"], 1)
            result["read_seconds_total"] = round(stats["read_seconds"], 1)
        return result


def _progress_artifact(total: int) -> Any:
    try:
        from prefect.artifacts import create_progress_artifact

        return create_progress_artifact(
            progress=0.0, description=f"Mapping {total:,} documents to ESCO"
        )
    except Exception:
        return None


def _update_progress(artifact_id: Any, fraction: float) -> None:
    if artifact_id is None:
        return
    try:
        from prefect.artifacts import update_progress_artifact

        update_progress_artifact(artifact_id, progress=round(100 * fraction, 1))
    except Exception:
        pass


def load_tables(store_path: Path, taxonomy_version: str, model_id: str) -> dict[str, pd.DataFrame]:
    """The analysis inputs, read narrow: DuckDB joins the mapped occupations and leaves the
    ad texts in the store (only the few ads whose mentions lack a sentence need theirs)."""
    from skillgap.store import Store

    key = [taxonomy_version, model_id]
    with Store.open(store_path) as store:
        vacancies = store.con.execute(
            """
            SELECT v.vacancy_id, v.source, v.posted_date, v.region, v.sector,
                   coalesce(CASE WHEN trim(v.occupation) <> '' THEN v.occupation END,
                            o.occupation_uri) AS occupation,
                   v.language,
                   CASE WHEN v.vacancy_id IN (
                       SELECT doc_id FROM skill_mentions
                       WHERE doc_type = 'vacancy' AND taxonomy_version = ? AND model_id = ?
                         AND (sentence IS NULL OR trim(sentence) = '')) THEN v.text END AS text
            FROM vacancies v
            LEFT JOIN (
                SELECT vacancy_id, arg_max(occupation_uri, score) AS occupation_uri
                FROM vacancy_occupations WHERE taxonomy_version = ? AND model_id = ?
                GROUP BY vacancy_id) o USING (vacancy_id)
            ORDER BY v.vacancy_id
            """,
            key + key,
        ).df()
        # Evidence snippets come from vacancy mentions only: credential sentences are not read.
        mentions = store.con.execute(
            "SELECT doc_type, doc_id, "
            "CASE WHEN doc_type = 'vacancy' THEN sentence END AS sentence, "
            "CASE WHEN doc_type = 'vacancy' THEN span END AS span, "
            "skill_uri, score, method, taxonomy_version, model_id, field, match_score, "
            "requirement, context FROM skill_mentions "
            "WHERE taxonomy_version = ? AND model_id = ? ORDER BY doc_type, doc_id, skill_uri",
            key,
        ).df()
        return {
            "vacancies": vacancies,
            "credentials": store.read("credentials"),
            "mentions": mentions,
            "quarantine": store.con.execute(
                "SELECT reason, count(*) AS n FROM quarantine GROUP BY reason "
                "ORDER BY n DESC, reason"
            ).df(),
        }


@task(name="analyse", cache_policy=NO_CACHE)
def analyse_task(store_path: str, snapshot: str | None, model_id: str, params: Any) -> Any:
    from skillgap.gaps import analyse
    from skillgap.taxonomies.store import load_taxonomy

    taxonomy = load_taxonomy(snapshot)
    tables = load_tables(Path(store_path), taxonomy.snapshot_id or taxonomy.version, model_id)
    analysis = analyse(
        tables["vacancies"], tables["credentials"], tables["mentions"], taxonomy, params
    )
    quarantine = tables["quarantine"]
    analysis.meta.setdefault("counts", {})["quarantine"] = {
        str(r): int(n) for r, n in zip(quarantine["reason"], quarantine["n"], strict=True)
    }
    return analysis


@task(name="report", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2,
      retry_condition_fn=transient)  # fmt: skip
def report_task(
    analysis: Any,
    out_dir: str,
    run_meta: dict,
    variants: list[str],
    formats: list[str],
    changes: Any = None,
) -> dict:
    from skillgap.reports import write_reports

    paths = write_reports(
        analysis,
        Path(out_dir),
        run_meta=run_meta,
        variants=variants,
        formats=set(formats),
        missing_variants="note",
        changes=changes,
    )
    return {k: str(v) for k, v in paths.items()}


# Up-front checks ------------------------------------------------------------------------


def check_outputs_writable(base: Path) -> None:
    """Fail before any work when the outputs folder cannot be written."""
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=base)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(
            f"outputs folder {base} is not writable ({exc.strerror or exc}); choose another "
            "with --outputs or [run] outputs_dir"
        ) from None


def variant_notes(store_path: Path, variants: list[str]) -> dict[str, str]:
    """Report variants whose value occurs in no stored vacancy, each with a note saying so.

    Checked right after ingestion, before the long mapping stage: the run goes on and the
    variant's report says there is no data for it, rather than failing at the very end.
    """
    from skillgap.store import Store

    notes: dict[str, str] = {}
    if not variants:
        return notes
    with Store.open(store_path) as store:
        for text in variants:
            column, value = text.split("=", 1)
            if store.count("vacancies", f"{column} = ?", [value]):
                continue
            known = [
                str(r[0])
                for r in store.con.execute(
                    f"SELECT DISTINCT {column} FROM vacancies WHERE {column} IS NOT NULL "
                    f"ORDER BY 1 LIMIT 21"
                ).fetchall()
            ]
            shown = ", ".join(known[:20]) + (", …" if len(known) > 20 else "") or "none"
            notes[text] = (
                f"no stored vacancy has {column} {value!r} (values present: {shown}); its "
                "report will say there is no data for it"
            )
    return notes


def _inputs(cfg: AnalysisConfig) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "path": str(f.path),
            "sha256": sha256_file(f.path),
            "profile": f.profile,
            "format": f.format,
        }
        for kind, files in (
            ("vacancies", cfg.inputs.vacancies),
            ("credentials", cfg.inputs.credentials),
        )
        for f in files
    ]


def execution_for(cfg: AnalysisConfig, workers: int | None, dask_address: str | None) -> Execution:
    address = dask_address or cfg.run.dask_address
    return Execution(workers=workers or cfg.run.workers, address=address)


# The flow -----------------------------------------------------------------------------


def new_run_id(name: str) -> str:
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{name}"


@flow(
    name="skills_gap_analysis",
    log_prints=True,
    on_completion=[bookkeeping.on_completion],
    on_failure=[bookkeeping.on_failure],
    on_crashed=[bookkeeping.on_crashed],
    on_cancellation=[bookkeeping.on_cancellation],
)
def skills_gap_analysis(
    config_path: str,
    run_id: str | None = None,
    outputs_dir: str | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    partition_size: int | None = None,
) -> dict:
    """Ingest the configured inputs, map them to ESCO, analyse gaps, write the reports.

    ``workers`` / ``dask_address`` / ``partition_size`` override the config's ``[run]``
    values for this run (how mapping is spread; the results are the same either way).
    """
    from skillgap.store import Store
    from skillgap.store import lock as store_lock
    from skillgap.taxonomies.store import load_taxonomy

    rep = reporter()
    settings = get_settings()
    cfg = load_config(Path(config_path))
    params = analysis_params(cfg)
    run_id = run_id or new_run_id(cfg.run.name)
    store_path = store_path_for(cfg, settings)
    base_out = Path(outputs_dir) if outputs_dir else (cfg.run.outputs_dir or settings.outputs_dir)
    check_outputs_writable(base_out)
    out_dir = base_out / run_id
    execution = execution_for(cfg, workers, dask_address)
    if execution.address:
        from skillgap.flows.runners import check_address

        check_address(execution.address)
    taxonomy = load_taxonomy(cfg.taxonomy.snapshot)
    snapshot = taxonomy.snapshot_id or None
    if cfg.model.corrections is not None:  # a bad corrections file fails before any work
        from skillgap.nlp.corrections import load_corrections

        load_corrections(cfg.model.corrections, taxonomy)
    store_path.parent.mkdir(parents=True, exist_ok=True)

    store_lock.acquire(store_path)  # released by the state hooks when the run ends
    record = bookkeeping.RunRecord(
        run_id=run_id,
        store_path=store_path,
        started=bookkeeping.now(),
        inputs=_inputs(cfg),
        taxonomy_version=taxonomy.snapshot_id or taxonomy.version,
        thresholds=params,
        out_dir=out_dir,
    )
    flow_run_id = str(flow_run.id)
    bookkeeping.register(flow_run_id, record)
    rep.open_log(out_dir / "run.log")
    rep.info(f"run {run_id}: config {cfg.source}, store {store_path}")
    with Store.open(store_path) as store:
        stale = bookkeeping.mark_interrupted(store)
    if stale:
        rep.warning(
            f"{len(stale)} earlier run(s) had died without finishing and are now marked "
            f"interrupted: {', '.join(stale[:5])}"
        )
    bookkeeping.write_status(record, "running")

    timings: dict[str, float] = {}
    t = time.perf_counter()
    batches = [
        ingest_task(str(store_path), i["kind"], i["path"], i["profile"], i["format"])
        for i in record.inputs
    ]
    timings["ingest"] = time.perf_counter() - t
    notes = variant_notes(store_path, cfg.report.variants)
    for text, note in notes.items():
        rep.warning(f"report variant {text}: {note}")

    t = time.perf_counter()
    size = partition_size or cfg.run.partition_size
    mapping = map_documents.with_options(task_runner=task_runner(execution))(
        str(store_path),
        snapshot,
        str(cfg.model.path) if cfg.model.path else None,
        settings.model_dump(mode="json"),
        size,
        str(spool_path_for(cfg, store_path)),
        execution.workers,
        execution.address,
        str(cfg.model.corrections) if cfg.model.corrections else None,
    )
    timings["map"] = time.perf_counter() - t
    record.model_id = mapping["model_id"]

    t = time.perf_counter()
    with rep.stage("analyse"):
        analysis: Any = analyse_task(str(store_path), snapshot, mapping["model_id"], params)
    timings["analyse"] = time.perf_counter() - t

    changes, previous = _changes(store_path, run_id, analysis.gaps)
    run_meta = {
        "run_id": run_id,
        "config": str(cfg.source),
        "started": record.started.isoformat(timespec="seconds"),
        "inputs": [{**i, "batch": b} for i, b in zip(record.inputs, batches, strict=True)],
        "taxonomy": {
            "version": taxonomy.version,
            "snapshot_id": taxonomy.snapshot_id,
            "language": taxonomy.language,
            "sources": taxonomy.manifest.get("sources", []),
            "missing": taxonomy.missing,
        },
        "model_id": mapping["model_id"],
        "mapping": mapping,
        "thresholds": jsonable(params),
        "quarantine": analysis.meta.get("counts", {}).get("quarantine", {}),
        "code_version": code_version(),
        "store": str(store_path),
        "previous_run": previous,
        "variant_notes": notes,
    }
    t = time.perf_counter()
    run_meta["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    run_meta["stage_seconds"] = {k: round(v, 2) for k, v in timings.items()}
    with rep.stage("report"):
        paths = report_task(
            analysis, str(out_dir), run_meta, cfg.report.variants, cfg.report.formats, changes
        )
    timings["report"] = time.perf_counter() - t
    for problem in _publish_artifacts(cfg.run.name, paths, analysis.gaps, changes):
        rep.warning(problem)
    bookkeeping.set_result_gaps(flow_run_id, analysis.gaps)
    rep.info(
        f"run {run_id}: done; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
        + f"; report {paths.get('html') or paths.get('md') or out_dir}"
    )
    return {
        "run_id": run_id,
        "out_dir": str(out_dir),
        "paths": paths,
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "mapping": mapping,
        "store": str(store_path),
        "analysis": analysis,
        "changes": changes,
        "previous_run": previous,
    }


def _changes(store_path: Path, run_id: str, gaps: pd.DataFrame) -> tuple[Any, dict | None]:
    """This run against the previous completed one of the same store (None for the first)."""
    from skillgap.gaps.changes import compare_runs
    from skillgap.store import Store

    with Store.open(store_path) as store:
        found = bookkeeping.previous_completed(store, run_id)
    if found is None:
        return None, None
    prev_id, finished, prev_gaps = found
    changes = compare_runs(prev_gaps, gaps)
    return changes, {"run_id": prev_id, "finished": finished}


def _publish_artifacts(name: str, paths: dict, gaps: pd.DataFrame, changes: Any) -> list[str]:
    from skillgap.flows.artifacts import publish

    try:
        return publish(name, paths, gaps, changes)
    except Exception as exc:  # a view must never fail the run
        return [f"artifacts: {exc}"]
