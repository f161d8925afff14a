"""The main job: the ``skills_gap_analysis`` Prefect flow (ingest -> map -> analyse -> report).

Only this package knows Prefect. Each stage is a task that calls a plain function of its
layer, so the same work can be driven from a notebook or a test without Prefect.

Incremental by content: ingestion skips files already stored (checksum), mapping skips
documents whose (content hash, taxonomy, model) were mapped before (``mapping_log``), so a
re-run with the same inputs maps nothing again and only re-analyses and re-renders.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task

from skillgap import __version__
from skillgap.config import Settings, get_settings
from skillgap.fileutil import sha256_file
from skillgap.flows.analysis_config import AnalysisConfig, analysis_params, load_config

VACANCY_OCCUPATIONS_DDL = """
CREATE TABLE IF NOT EXISTS vacancy_occupations (
    vacancy_id VARCHAR, occupation_uri VARCHAR, label VARCHAR, score DOUBLE,
    taxonomy_version VARCHAR, model_id VARCHAR
)
"""

MAPPING_LOG_DDL = """
CREATE TABLE IF NOT EXISTS mapping_log (
    doc_type VARCHAR, doc_id VARCHAR, content_hash VARCHAR,
    taxonomy_version VARCHAR, model_id VARCHAR, n_mentions INTEGER, mapped_at TIMESTAMP
)
"""


def store_path_for(cfg: AnalysisConfig, settings: Settings) -> Path:
    return cfg.run.store or settings.data_dir / "stores" / f"{cfg.run.name}.duckdb"


def _jsonable(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        obj = asdict(obj)
    return json.loads(json.dumps(obj, default=str))


_sha256 = sha256_file


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except OSError:
        sha = ""
    return f"{__version__}+{sha}" if sha else __version__


# Stages -------------------------------------------------------------------------------


@task(name="ingest", retries=2, retry_delay_seconds=2)
def ingest_task(
    store_path: str, kind: str, path: str, profile: str | None, fmt: str | None
) -> dict:
    """Ingest one input file (a no-op when its checksum is already stored)."""
    from skillgap.ingest.api import ingest_credentials, ingest_vacancies
    from skillgap.store import Store

    with Store.open(Path(store_path)) as store:
        if kind == "vacancies":
            report = ingest_vacancies(Path(path), profile or "generic", store)
        else:
            report = ingest_credentials(Path(path), store, profile=profile, fmt=fmt)
    result = _jsonable(report)
    get_run_logger().info(
        "ingested %s (%s): %s",
        Path(path).name,
        kind,
        "already stored" if result.get("skipped") else result.get("counts"),
    )
    return result


def _map_fields(
    mapper: Any, doc_type: str, frame: pd.DataFrame, occupations: dict[str, str] | None = None
) -> pd.DataFrame:
    """``skill_mentions`` of a batch of one document type, one row per (document, skill).

    The text of each field is mapped on its own (``flows.texts``); a credential whose
    descriptive fields give nothing falls back to its title. Where several fields give
    the same skill, the best-scoring mention is kept (with the field it came from).
    """
    from skillgap.flows.texts import credential_texts, credential_titles, vacancy_texts

    parts = vacancy_texts(frame) if doc_type == "vacancy" else credential_texts(frame)

    def run(items: list) -> pd.DataFrame:
        return mapper.mentions(
            [x.doc_id for x in items],
            [x.text for x in items],
            doc_type,
            titles=[x.title for x in items],
            field=[x.field for x in items],
            occupations=(
                [occupations.get(x.doc_id) for x in items] if occupations is not None else None
            ),
        )

    found = [run(parts)] if parts else []
    if doc_type == "credential":
        got = set(found[0]["doc_id"]) if found else set()
        titles = credential_titles(frame, {str(c) for c in frame["credential_id"]} - got)
        if titles:
            found.append(run(titles))
    if not found:
        from skillgap.schemas import empty

        return empty("skill_mentions")
    out = pd.concat(found, ignore_index=True)
    out = out.sort_values(["doc_id", "skill_uri", "score"], ascending=[True, True, False])
    return out.drop_duplicates(["doc_id", "skill_uri"]).reset_index(drop=True)


def map_documents(
    store_path: Path,
    taxonomy: Any,
    model_path: Path | None,
    progress: bool,
    corrections: Path | None = None,
) -> dict:
    """Map every stored document not yet mapped with this taxonomy, model and corrections."""
    from skillgap.nlp.documents import mapping_id
    from skillgap.nlp.embed import model_id as encoder_id
    from skillgap.nlp.embed import resolve_model_path
    from skillgap.store import Store

    fixes = None
    if corrections is not None:
        from skillgap.nlp.corrections import load_corrections

        fixes = load_corrections(corrections, taxonomy)
    model_id = mapping_id(
        encoder_id(resolve_model_path(get_settings(), model_path)),
        *([fixes.digest.encode()] if fixes is not None else []),
    )
    tax_version = taxonomy.snapshot_id or taxonomy.version
    counts: dict[str, Any] = {}
    with Store.open(store_path) as store:
        store.con.execute(MAPPING_LOG_DDL)
        store.con.execute(VACANCY_OCCUPATIONS_DDL)
        done = store.read(
            "mapping_log",
            where="taxonomy_version = ? AND model_id = ?",
            params=[tax_version, model_id],
        )
        done_keys = set(zip(done["doc_type"], done["doc_id"], done["content_hash"], strict=True))
        vacancies = store.read("vacancies")
        credentials = store.read("credentials")
        todo: list[tuple[str, pd.DataFrame, str]] = []
        v_mask = [
            ("vacancy", i, h) not in done_keys
            for i, h in zip(vacancies["vacancy_id"], vacancies["content_hash"], strict=True)
        ]
        v_new = vacancies[v_mask] if len(vacancies) else vacancies
        if len(v_new):
            todo.append(("vacancy", v_new, "vacancy_id"))
        c_mask = [
            ("credential", i, h) not in done_keys
            for i, h in zip(credentials["credential_id"], credentials["content_hash"], strict=True)
        ]
        c_new = credentials[c_mask] if len(credentials) else credentials
        if len(c_new):
            todo.append(("credential", c_new, "credential_id"))
        from skillgap.nlp.documents import method_notes

        encoder = encoder_id(resolve_model_path(get_settings(), model_path))
        counts = {
            "vacancies_to_map": len(v_new),
            "credentials_to_map": len(c_new),
            "method": method_notes(encoder, fixes),
        }
        if not todo:
            return {**counts, "model_id": model_id, "mentions_added": 0}

        from skillgap.nlp.mapper import SkillMapper

        mapper = SkillMapper.load(taxonomy, model_path=model_path, progress=progress)
        mapper.corrections = fixes
        added = 0
        for doc_type, frame, id_col in todo:
            ids = [str(x) for x in frame[id_col]]
            occupations = None
            jobs: dict[str, str] | None = None
            if doc_type == "vacancy":
                occupations = _occupations_for(frame, taxonomy, model_path)
                jobs = _known_occupations(frame, occupations)
            mentions = _map_fields(mapper, doc_type, frame, jobs)
            mentions = mentions.assign(taxonomy_version=tax_version, model_id=model_id)
            log = pd.DataFrame(
                {
                    "doc_type": doc_type,
                    "doc_id": ids,
                    "content_hash": list(frame["content_hash"]),
                    "taxonomy_version": tax_version,
                    "model_id": model_id,
                    "n_mentions": mentions.groupby("doc_id")
                    .size()
                    .reindex(ids, fill_value=0)
                    .to_numpy(),
                    "mapped_at": datetime.now(UTC).replace(tzinfo=None),
                }
            )
            with store.transaction():
                for table in ("skill_mentions", "mapping_log"):
                    store.con.execute(
                        f"DELETE FROM {table} WHERE doc_type = ? AND taxonomy_version = ? "
                        "AND model_id = ? AND doc_id IN (SELECT unnest(?))",
                        [doc_type, tax_version, model_id, ids],
                    )
                store.append("skill_mentions", mentions)
                store.append("mapping_log", log)
                if occupations is not None and len(occupations):
                    store.con.execute(
                        "DELETE FROM vacancy_occupations WHERE taxonomy_version = ? "
                        "AND model_id = ? AND vacancy_id IN (SELECT unnest(?))",
                        [tax_version, model_id, list(occupations["vacancy_id"])],
                    )
                    occupations = occupations.assign(
                        taxonomy_version=tax_version, model_id=model_id
                    )
                    store.append("vacancy_occupations", occupations)
            added += len(mentions)
        return {**counts, "model_id": model_id, "mentions_added": added}


def _known_occupations(frame: pd.DataFrame, mapped: pd.DataFrame) -> dict[str, str] | None:
    """Each ad's ESCO occupation for the mapper's context: the source's own when it is an
    ESCO URI, else the mapped one; ads with neither are left out (unknown)."""
    own = {
        str(v): str(o)
        for v, o in zip(frame["vacancy_id"], frame["occupation"].fillna(""), strict=True)
        if str(o).startswith("http://data.europa.eu/esco/occupation/")
    }
    if mapped is not None and len(mapped):
        for v, o in zip(mapped["vacancy_id"], mapped["occupation_uri"], strict=True):
            own.setdefault(str(v), str(o))
    return own


def _occupations_for(frame: pd.DataFrame, taxonomy: Any, model_path: Path | None) -> pd.DataFrame:
    """Best ESCO occupation of each vacancy that came without one (title first, then text).

    Only when the taxonomy has occupations (the built-in default does not): the occupation
    breakdown then works on sources such as job boards that carry no occupation code.
    """
    cols = ["vacancy_id", "occupation_uri", "label", "score"]
    if not taxonomy.has("occupations"):
        return pd.DataFrame(columns=cols)
    occ = frame["occupation"].fillna("").astype(str).str.strip()
    todo = frame[occ == ""]
    if todo.empty:
        return pd.DataFrame(columns=cols)
    from skillgap.nlp.occupations import map_occupations

    hits = map_occupations(
        [str(t or "") for t in todo["title"]],
        [str(t or "") for t in todo["text"]],
        taxonomy,
        top_k=1,
        model_path=model_path,
    )
    rows = [
        {
            "vacancy_id": str(vid),
            "occupation_uri": h[0].uri,
            "label": h[0].label,
            "score": h[0].score,
        }
        for vid, h in zip(todo["vacancy_id"], hits, strict=True)
        if h
    ]
    return pd.DataFrame(rows, columns=cols)


@task(name="map", retries=1, retry_delay_seconds=5)
def map_task(
    store_path: str, snapshot: str | None, model_path: str | None, corrections: str | None = None
) -> dict:
    from skillgap.taxonomies.store import load_taxonomy

    taxonomy = load_taxonomy(snapshot)
    result = map_documents(
        Path(store_path),
        taxonomy,
        Path(model_path) if model_path else None,
        True,
        Path(corrections) if corrections else None,
    )
    get_run_logger().info("mapping: %s", result)
    return result


def load_tables(store_path: Path, taxonomy_version: str, model_id: str) -> dict[str, pd.DataFrame]:
    from skillgap.store import Store

    with Store.open(store_path) as store:
        store.con.execute(VACANCY_OCCUPATIONS_DDL)
        vacancies = store.read("vacancies")
        mapped = store.read(
            "vacancy_occupations",
            where="taxonomy_version = ? AND model_id = ?",
            params=[taxonomy_version, model_id],
        )
        if len(mapped) and len(vacancies):
            # A source's own occupation wins; the mapped one fills the gaps.
            found = vacancies["vacancy_id"].map(
                dict(zip(mapped["vacancy_id"], mapped["occupation_uri"], strict=True))
            )
            own = vacancies["occupation"].where(
                vacancies["occupation"].fillna("").astype(str).str.strip() != ""
            )
            vacancies = vacancies.assign(occupation=own.fillna(found))
        return {
            "vacancies": vacancies,
            "credentials": store.read("credentials"),
            "mentions": store.read(
                "skill_mentions",
                where="taxonomy_version = ? AND model_id = ?",
                params=[taxonomy_version, model_id],
            ),
            "quarantine": store.read("quarantine"),
        }


@task(name="analyse")
def analyse_task(store_path: str, snapshot: str | None, model_id: str, params: Any) -> Any:
    from skillgap.gaps import analyse
    from skillgap.taxonomies.store import load_taxonomy

    taxonomy = load_taxonomy(snapshot)
    tables = load_tables(Path(store_path), taxonomy.snapshot_id or taxonomy.version, model_id)
    analysis = analyse(
        tables["vacancies"], tables["credentials"], tables["mentions"], taxonomy, params
    )
    quarantine = tables["quarantine"]
    analysis.meta.setdefault("counts", {})["quarantine"] = (
        quarantine["reason"].value_counts().to_dict() if len(quarantine) else {}
    )
    return analysis


@task(name="report", retries=1, retry_delay_seconds=2)
def report_task(
    analysis: Any, out_dir: str, run_meta: dict, variants: list[str], formats: list[str]
) -> dict:
    from skillgap.reports import write_reports

    paths = write_reports(
        analysis, Path(out_dir), run_meta=run_meta, variants=variants, formats=set(formats)
    )
    return {k: str(v) for k, v in paths.items()}


# The flow -----------------------------------------------------------------------------


def new_run_id(name: str) -> str:
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{name}"


@flow(name="skills_gap_analysis", log_prints=True)
def skills_gap_analysis(
    config_path: str, run_id: str | None = None, outputs_dir: str | None = None
) -> dict:
    """Ingest the configured inputs, map them to ESCO, analyse gaps, write the reports."""
    settings = get_settings()
    cfg = load_config(Path(config_path))
    params = analysis_params(cfg)
    run_id = run_id or new_run_id(cfg.run.name)
    store_path = store_path_for(cfg, settings)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    base_out = Path(outputs_dir) if outputs_dir else (cfg.run.outputs_dir or settings.outputs_dir)
    out_dir = base_out / run_id
    started = datetime.now(UTC).replace(tzinfo=None)
    timings: dict[str, float] = {}
    inputs = [
        {
            "kind": kind,
            "path": str(f.path),
            "sha256": _sha256(f.path),
            "profile": f.profile,
            "format": f.format,
        }
        for kind, files in (
            ("vacancies", cfg.inputs.vacancies),
            ("credentials", cfg.inputs.credentials),
        )
        for f in files
    ]

    from skillgap.taxonomies.store import load_taxonomy

    taxonomy = load_taxonomy(cfg.taxonomy.snapshot)
    snapshot = taxonomy.snapshot_id or None
    if cfg.model.corrections is not None:  # a bad corrections file fails before any work
        from skillgap.nlp.corrections import load_corrections

        load_corrections(cfg.model.corrections, taxonomy)
    _record_run(store_path, run_id, started, None, "running", inputs, taxonomy, "", params)

    try:
        t = time.perf_counter()
        batches = []
        for item in inputs:
            batches.append(
                ingest_task(
                    str(store_path), item["kind"], item["path"], item["profile"], item["format"]
                )
            )
        timings["ingest"] = time.perf_counter() - t

        t = time.perf_counter()
        mapping = map_task(
            str(store_path),
            snapshot,
            str(cfg.model.path) if cfg.model.path else None,
            str(cfg.model.corrections) if cfg.model.corrections else None,
        )
        timings["map"] = time.perf_counter() - t

        t = time.perf_counter()
        analysis = analyse_task(str(store_path), snapshot, mapping["model_id"], params)
        timings["analyse"] = time.perf_counter() - t

        run_meta = {
            "run_id": run_id,
            "config": str(cfg.source),
            "started": started.isoformat(timespec="seconds"),
            "inputs": [{**i, "batch": b} for i, b in zip(inputs, batches, strict=True)],
            "taxonomy": {
                "version": taxonomy.version,
                "snapshot_id": taxonomy.snapshot_id,
                "language": taxonomy.language,
                "sources": taxonomy.manifest.get("sources", []),
                "missing": taxonomy.missing,
            },
            "model_id": mapping["model_id"],
            "mapping": mapping,
            "thresholds": _jsonable(
                params.model_dump() if hasattr(params, "model_dump") else params
            ),
            "quarantine": analysis.meta.get("counts", {}).get("quarantine", {}),
            "code_version": code_version(),
            "store": str(store_path),
        }
        t = time.perf_counter()
        run_meta["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        run_meta["stage_seconds"] = {k: round(v, 2) for k, v in timings.items()}
        paths = report_task(
            analysis, str(out_dir), run_meta, cfg.report.variants, cfg.report.formats
        )
        timings["report"] = time.perf_counter() - t
    except BaseException:
        _record_run(
            store_path,
            run_id,
            started,
            datetime.now(UTC).replace(tzinfo=None),
            "failed",
            inputs,
            taxonomy,
            "",
            params,
        )
        raise
    _record_run(
        store_path,
        run_id,
        started,
        datetime.now(UTC).replace(tzinfo=None),
        "completed",
        inputs,
        taxonomy,
        mapping["model_id"],
        params,
    )
    return {
        "run_id": run_id,
        "out_dir": str(out_dir),
        "paths": paths,
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "mapping": mapping,
        "store": str(store_path),
        "analysis": analysis,
    }


def _record_run(
    store_path: Path,
    run_id: str,
    started: datetime,
    finished: datetime | None,
    status: str,
    inputs: list[dict],
    taxonomy: Any,
    model_id: str,
    params: Any,
) -> None:
    from skillgap.store import Store

    row = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "started_at": started,
                "finished_at": finished,
                "status": status,
                "inputs": json.dumps(inputs),
                "taxonomy_version": taxonomy.snapshot_id or taxonomy.version,
                "model_id": model_id,
                "thresholds": json.dumps(
                    _jsonable(params.model_dump() if hasattr(params, "model_dump") else params)
                ),
                "code_version": code_version(),
            }
        ]
    )
    with Store.open(store_path) as store:
        store.replace_where("runs", "run_id = ?", row, params=[run_id])
