"""Partitioned mapping: plan partitions in the store, map each on a worker, load it back.

Why partitions: a store grows to millions of documents, and mapping one ad costs tens of
milliseconds of encoder time. Mapping works on partitions of at most ``partition_size``
documents, each committed on its own (mentions, occupations and mapping log in one
transaction), so memory stays bounded and a killed run resumes where it stopped: it loses
at most the partitions that were being mapped when it died.

Who does what (DuckDB allows one writing process):

- the *planner* (the flow's process) numbers the documents still to map in the store with
  SQL and reads one partition's texts at a time;
- a *worker* (a thread of the flow's process, or a Dask worker process anywhere) maps one
  partition and writes its results as Parquet files into a spool folder, never touching
  the store;
- the *writer* (the flow's process again) loads each finished partition's files into
  DuckDB in one transaction and deletes them.

Determinism: a partition is a pure function of its documents. Its members are fixed by
the documents' order in the store (ingest order), not by which worker gets it or what
was mapped before, and each partition is mapped by a fresh mapper with one compute
thread (no encoder memo carried over from another partition), so a run on a 2-worker
cluster, an in-process run and a resumed run store the same rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from skillgap.flows.texts import (
    COLUMNS,
    FieldText,
    credential_texts,
    credential_titles,
    vacancy_texts,
)
from skillgap.schemas import empty as empty_table

DOC_TABLES = {
    "vacancy": ("vacancies", "vacancy_id"),
    "credential": ("credentials", "credential_id"),
}
# Files of one finished partition in the spool; manifest.json is written last.
_FILES = ("mentions", "log", "occupations")


@dataclass(frozen=True)
class MappingKey:
    """Which mapping a document's rows belong to (the incremental key with its hash)."""

    taxonomy_version: str
    model_id: str


@dataclass
class PartitionSpec:
    """One partition's work, complete: a worker needs nothing else from the store."""

    name: str  # e.g. "vacancy-000012"
    doc_type: str
    doc_ids: list[str]
    content_hashes: list[str]
    items: list[FieldText]  # what to map, field by field (``flows.texts``)
    titles: list[str]  # per document: a credential's title is mapped only as a last resort
    key: MappingKey
    snapshot: str | None  # taxonomy snapshot the worker loads
    model_path: str | None
    settings: dict[str, Any]  # the flow's Settings, so every worker uses the same data dir
    spool: str
    # vacancies only: titles and texts of those that came without an occupation
    occupation_ids: list[str] = field(default_factory=list)
    occupation_titles: list[str] = field(default_factory=list)
    occupation_texts: list[str] = field(default_factory=list)
    # vacancies: the ESCO occupation the source gave (URI), the context of their skills
    own_occupations: dict[str, str] = field(default_factory=dict)
    corrections: str | None = None  # the analysis' corrections file (``nlp.corrections``)


@dataclass
class PartitionResult:
    """What a worker hands back: where the files are and what they hold."""

    name: str
    doc_type: str
    path: str
    n_docs: int
    n_mentions: int
    n_occupations: int
    seconds: float
    worker: str
    cpu_seconds: float = 0.0  # CPU time of the mapping thread (one thread: see single_threaded)


# Planning (flow process, read-only SQL) ------------------------------------------------


def plan(
    store: Any, doc_type: str, key: MappingKey, partition_size: int
) -> tuple[list[int], int, int]:
    """Number the documents of ``doc_type`` and find the partitions with work left.

    Every stored document gets a stable partition number from its position in the table
    (ingest order), whatever is already mapped, so the partitions a resumed run maps are
    the very ones the killed run had not committed. A partition is thus a contiguous
    range of rows, which DuckDB reads by row-id range without scanning the growing table
    (ad texts are most of its bytes). Creates the temp table ``todo_<doc_type>`` (rid,
    doc_id, content_hash, part, stale) on ``store``'s connection; returns (partition
    numbers with work, documents to map, documents already mapped).
    """
    table, id_col = DOC_TABLES[doc_type]
    con = store.con
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE todo_{doc_type} AS
        WITH numbered AS (
            SELECT rowid AS rid, {id_col} AS doc_id, content_hash,
                   (row_number() OVER (ORDER BY rowid) - 1) // ? AS part
            FROM {table}
        )
        SELECT n.rid, n.doc_id, n.content_hash, n.part,
               EXISTS (SELECT 1 FROM mapping_log o WHERE o.doc_type = ? AND o.doc_id = n.doc_id
                       AND o.taxonomy_version = ? AND o.model_id = ?) AS stale
        FROM numbered n
        WHERE NOT EXISTS (
            SELECT 1 FROM mapping_log m
            WHERE m.doc_type = ? AND m.doc_id = n.doc_id AND m.content_hash = n.content_hash
              AND m.taxonomy_version = ? AND m.model_id = ?)
        """,
        [partition_size, *[doc_type, key.taxonomy_version, key.model_id] * 2],
    )
    parts = [
        int(r[0])
        for r in con.execute(f"SELECT DISTINCT part FROM todo_{doc_type} ORDER BY 1").fetchall()
    ]
    n_todo = int(con.execute(f"SELECT count(*) FROM todo_{doc_type}").fetchone()[0])
    n_total = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    return parts, n_todo, n_total - n_todo


def partition_spec(
    store: Any,
    doc_type: str,
    part: int,
    key: MappingKey,
    *,
    snapshot: str | None,
    model_path: str | None,
    settings: dict[str, Any],
    spool: Path,
    occupations: bool,
    corrections: str | None = None,
) -> PartitionSpec:
    """Read one planned partition's documents (only the columns the texts need, and only
    its range of rows)."""
    table, _ = DOC_TABLES[doc_type]
    cols = list(COLUMNS[doc_type])
    select = ", ".join(f"d.{c}" for c in cols)
    lo, hi = store.con.execute(
        f"SELECT min(rid), max(rid) FROM todo_{doc_type} WHERE part = ?", [part]
    ).fetchone() or (0, -1)
    frame = store.con.execute(
        f"SELECT t.doc_id, t.content_hash, {select} FROM {table} d "
        f"JOIN todo_{doc_type} t ON d.rowid = t.rid "
        "WHERE t.part = ? AND d.rowid BETWEEN ? AND ? ORDER BY t.rid",
        [part, lo, hi],
    ).df()
    spec = PartitionSpec(
        name=f"{doc_type}-{part:06d}",
        doc_type=doc_type,
        doc_ids=[str(x) for x in frame["doc_id"]],
        content_hashes=[str(x) for x in frame["content_hash"]],
        items=(vacancy_texts if doc_type == "vacancy" else credential_texts)(
            frame.rename(columns={"doc_id": DOC_TABLES[doc_type][1]})
        ),
        titles=[str(x or "") for x in frame["title"]],
        key=key,
        snapshot=snapshot,
        model_path=model_path,
        settings=settings,
        spool=str(spool),
        corrections=corrections,
    )
    if doc_type == "vacancy":
        own = frame["occupation"].fillna("").astype(str).str.strip()
        spec.own_occupations = {
            str(d): o
            for d, o in zip(frame["doc_id"], own, strict=True)
            if o.startswith("http://data.europa.eu/esco/occupation/")
        }
    if doc_type == "vacancy" and occupations:
        need = frame[own == ""]
        spec.occupation_ids = [str(x) for x in need["doc_id"]]
        spec.occupation_titles = [str(x or "") for x in need["title"]]
        spec.occupation_texts = [str(x or "") for x in need["text"]]
    return spec


@dataclass
class MapPlan:
    """What is left to map, per document type, after loading adoptable leftovers."""

    parts: dict[str, list[int]]
    todo: dict[str, int]
    done: dict[str, int]
    adopted: int

    @property
    def total(self) -> int:
        return sum(self.todo.values())


def prepare_plan(store: Any, key: MappingKey, partition_size: int, spool: Path) -> MapPlan:
    """Plan every document type, load finished leftovers of a killed run, plan again."""

    def plan_all() -> dict[str, tuple[list[int], int, int]]:
        return {d: plan(store, d, key, partition_size) for d in DOC_TABLES}

    plans = plan_all()
    adopted = adoptable(store, spool, key)
    for path in adopted:
        load_partition(store, path)
    if adopted:
        plans = plan_all()
    return MapPlan(
        parts={d: p[0] for d, p in plans.items()},
        todo={d: p[1] for d, p in plans.items()},
        done={d: p[2] for d, p in plans.items()},
        adopted=len(adopted),
    )


def run_partitions(
    store: Any,
    map_plan: MapPlan,
    key: MappingKey,
    *,
    submit: Callable[[PartitionSpec], Any],
    next_done: Callable[[list[Any]], Any],
    result: Callable[[Any], PartitionResult],
    in_flight: int,
    spec_args: dict[str, Any],
    on_loaded: Callable[[PartitionResult, dict[str, int]], None] | None = None,
) -> dict[str, Any]:
    """Hand partitions to workers (at most ``in_flight`` at once), load each as it finishes.

    The executor is abstract (``submit`` a spec, ``next_done`` among pending handles,
    ``result`` of a handle) so Prefect's task runners drive it in the flow and a plain
    thread pool can drive it anywhere else. A partition is read from the store only when
    it is handed out, so memory holds at most ``in_flight`` partitions' texts.
    """
    specs = (
        partition_spec(store, doc_type, part, key, **spec_args)
        for doc_type in DOC_TABLES
        for part in map_plan.parts[doc_type]
    )
    stats: dict[str, Any] = {
        "partitions": 0,
        "mentions_added": 0,
        "seconds": [],
        "cpu": [],
        "load_seconds": 0.0,
        "read_seconds": 0.0,
    }
    pending: list[Any] = []
    exhausted = False
    while True:
        while not exhausted and len(pending) < in_flight:
            t0 = time.perf_counter()
            spec = next(specs, None)
            stats["read_seconds"] += time.perf_counter() - t0
            if spec is None:
                exhausted = True
            else:
                pending.append(submit(spec))
        if not pending:
            break
        handle = next_done(pending)
        pending.remove(handle)
        part = result(handle)
        t0 = time.perf_counter()
        loaded = load_partition(store, Path(part.path))
        stats["load_seconds"] += time.perf_counter() - t0
        stats["partitions"] += 1
        stats["mentions_added"] += loaded["mentions"]
        stats["seconds"].append(part.seconds)
        stats["cpu"].append(part.cpu_seconds)
        if on_loaded is not None:
            on_loaded(part, loaded)
    return stats


# Mapping (worker: thread or Dask process) ---------------------------------------------

# Documents handed to the mapper at once within a partition. Between chunks an in-process
# worker looks at CANCEL, so an interrupted run stops within seconds instead of finishing
# a whole partition (a thread cannot be killed). Chunks are fixed by the partition, so
# the numbers still depend on the partition only.
CHUNK = 200
CANCEL = threading.Event()


class PartitionCancelled(Exception):
    """The run was interrupted while this partition was being mapped (nothing stored)."""


_MAPPERS: dict[tuple[Any, ...], Any] = {}
_MAPPERS_LOCK = threading.Lock()


def _base_mapper(spec: PartitionSpec) -> Any:
    """The worker's loaded mapper for (data dir, snapshot, model): loaded once per process."""
    from skillgap.config import Settings

    cache_key = (json.dumps(spec.settings, sort_keys=True), spec.snapshot, spec.model_path)
    with _MAPPERS_LOCK:
        mapper = _MAPPERS.get(cache_key)
        if mapper is None:
            from skillgap.nlp.mapper import SkillMapper
            from skillgap.taxonomies.store import load_taxonomy

            settings = Settings(**spec.settings)
            taxonomy = load_taxonomy(spec.snapshot, settings)
            model = Path(spec.model_path) if spec.model_path else None
            mapper = SkillMapper.load(taxonomy, settings, model_path=model)
            _MAPPERS.clear()  # one mapper per worker process: memory stays bounded
            _MAPPERS[cache_key] = mapper
        return mapper


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """One compute thread for torch and the BLAS libraries while a partition is mapped.

    Parallelism comes from partitions (one per worker), never from threads inside one:
    (1) the numbers then do not depend on where a partition ran — torch's results differ
    in the last bits between 1 and 2 intra-op threads, and Dask workers run with one
    thread each, so an in-process run would otherwise store other scores than a cluster
    run; (2) it is faster where cores are shared: on the 2-core development machine under
    other load, 2 intra-op threads mapped 2.0 ads/s and 1 thread 13.8 ads/s (the threads
    spin waiting for each other; benchmarks/results/scale.md).
    """
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(before)


def release_mappers() -> None:
    """Drop this process's loaded mapper (the skill index is hundreds of MB): after the map
    stage of an in-process run, so the analysis does not hold it as well."""
    import gc

    with _MAPPERS_LOCK:
        _MAPPERS.clear()
    gc.collect()


def map_partition(spec: PartitionSpec) -> PartitionResult:
    """Map one partition and write its rows into the spool; the store is never opened."""
    with single_threaded():
        return _map_partition(spec)


def _map_partition(spec: PartitionSpec) -> PartitionResult:
    from skillgap.config import Settings
    from skillgap.nlp.mapper import SkillMapper

    t0, c0 = time.perf_counter(), time.thread_time()
    base = _base_mapper(spec)
    # A fresh mapper over the loaded index and encoder: its sentence memo starts empty, so
    # the partition's rows do not depend on what this worker mapped before.
    mapper = SkillMapper(base.taxonomy, base.index, base.encoder, base.model_path, base.fusion)
    key = spec.key
    if spec.corrections:
        from skillgap.nlp.corrections import load_corrections

        mapper.corrections = load_corrections(Path(spec.corrections), base.taxonomy)
    # Occupations first: an ad's occupation is the context its skills are read in.
    occupations = _occupations(spec, base.taxonomy, Settings(**spec.settings))
    jobs = dict(spec.own_occupations)
    for v, o in zip(occupations["vacancy_id"], occupations["occupation_uri"], strict=True):
        jobs.setdefault(str(v), str(o))
    chunks = []
    for i in range(0, len(spec.doc_ids), CHUNK):
        if CANCEL.is_set():
            raise PartitionCancelled(f"{spec.name}: the run was interrupted")
        ids = spec.doc_ids[i : i + CHUNK]
        chunks.append(map_fields(mapper, spec, ids, jobs if spec.doc_type == "vacancy" else None))
    mentions = pd.concat(chunks, ignore_index=True) if chunks else empty_table("skill_mentions")
    mentions = mentions.assign(taxonomy_version=key.taxonomy_version, model_id=key.model_id)
    counts = mentions.groupby("doc_id").size()
    log = pd.DataFrame(
        {
            "doc_type": spec.doc_type,
            "doc_id": spec.doc_ids,
            "content_hash": spec.content_hashes,
            "taxonomy_version": key.taxonomy_version,
            "model_id": key.model_id,
            "n_mentions": [int(counts.get(i, 0)) for i in spec.doc_ids],
            "mapped_at": datetime.now(UTC).replace(tzinfo=None),
        }
    )
    frames = {"mentions": mentions, "log": log, "occupations": occupations}
    path = _write_spool(spec, frames)
    return PartitionResult(
        name=spec.name,
        doc_type=spec.doc_type,
        path=str(path),
        n_docs=len(spec.doc_ids),
        n_mentions=len(mentions),
        n_occupations=len(occupations),
        seconds=time.perf_counter() - t0,
        worker=f"{os.uname().nodename}:{os.getpid()}",
        cpu_seconds=time.thread_time() - c0,
    )


def map_fields(
    mapper: Any, spec: PartitionSpec, ids: list[str], occupations: dict[str, str] | None
) -> pd.DataFrame:
    """``skill_mentions`` of the documents ``ids`` of a partition, one row per (document,
    skill): each field mapped on its own; a credential whose descriptive fields give
    nothing falls back to its title; where several fields give the same skill the
    best-scoring mention is kept, with the field it came from."""
    wanted = set(ids)

    def run(items: list[FieldText]) -> pd.DataFrame:
        return mapper.mentions(
            [x.doc_id for x in items],
            [x.text for x in items],
            spec.doc_type,
            titles=[x.title for x in items],
            field=[x.field for x in items],
            occupations=(
                [occupations.get(x.doc_id) for x in items] if occupations is not None else None
            ),
        )

    parts = [x for x in spec.items if x.doc_id in wanted]
    found = [run(parts)] if parts else []
    if spec.doc_type == "credential":
        got = set(found[0]["doc_id"]) if found else set()
        frame = pd.DataFrame({"credential_id": spec.doc_ids, "title": spec.titles})
        titles = credential_titles(frame, wanted - got)
        if titles:
            found.append(run(titles))
    if not found:
        return empty_table("skill_mentions")
    out = pd.concat(found, ignore_index=True)
    out = out.sort_values(["doc_id", "skill_uri", "score"], ascending=[True, True, False])
    return out.drop_duplicates(["doc_id", "skill_uri"]).reset_index(drop=True)


OCCUPATION_COLUMNS = ["vacancy_id", "occupation_uri", "label", "score"]


def _occupations(spec: PartitionSpec, taxonomy: Any, settings: Any) -> pd.DataFrame:
    """Best ESCO occupation of each vacancy that came without one (title first, then text).

    Only when the taxonomy has occupations: the occupation breakdown then works on
    sources such as job boards that carry no occupation code.
    """
    empty = pd.DataFrame(columns=[*OCCUPATION_COLUMNS, "taxonomy_version", "model_id"])
    if not spec.occupation_ids or not taxonomy.has("occupations"):
        return empty
    from skillgap.nlp.occupations import map_occupations

    hits = map_occupations(
        spec.occupation_titles,
        spec.occupation_texts,
        taxonomy,
        top_k=1,
        settings=settings,
        model_path=Path(spec.model_path) if spec.model_path else None,
    )
    rows = [
        {"vacancy_id": vid, "occupation_uri": h[0].uri, "label": h[0].label, "score": h[0].score}
        for vid, h in zip(spec.occupation_ids, hits, strict=True)
        if h
    ]
    if not rows:
        return empty
    return pd.DataFrame(rows, columns=OCCUPATION_COLUMNS).assign(
        taxonomy_version=spec.key.taxonomy_version, model_id=spec.key.model_id
    )


def _write_spool(spec: PartitionSpec, frames: dict[str, pd.DataFrame]) -> Path:
    """The partition's files in a staged folder renamed into place: whole or absent."""
    spool = Path(spec.spool)
    spool.mkdir(parents=True, exist_ok=True)
    final = spool / spec.name
    stage = Path(tempfile.mkdtemp(prefix=f".{spec.name}.tmp-", dir=spool))
    try:
        for name, df in frames.items():
            pq.write_table(
                pa.Table.from_pandas(df, preserve_index=False), stage / f"{name}.parquet"
            )
        manifest = {
            "doc_type": spec.doc_type,
            "doc_ids": spec.doc_ids,
            "content_hashes": spec.content_hashes,
            "taxonomy_version": spec.key.taxonomy_version,
            "model_id": spec.key.model_id,
        }
        (stage / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        if final.exists():  # a leftover of a killed run for the same partition
            shutil.rmtree(final)
        os.rename(stage, final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return final


# Loading (flow process: the one writer) -------------------------------------------------


def load_partition(store: Any, path: Path) -> dict[str, int]:
    """Load one finished partition into the store in one transaction, then delete its files.

    Documents the plan marked stale (mapped before from other content) have their earlier
    rows replaced. Rows for a partition's documents under the same key never exist
    otherwise (a partition commits all its rows at once), so the common case deletes
    nothing and never scans the growing tables.
    """
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    doc_type = manifest["doc_type"]
    tax, model = manifest["taxonomy_version"], manifest["model_id"]
    stale = [
        str(r[0])
        for r in store.con.execute(
            f"SELECT doc_id FROM todo_{doc_type} WHERE stale AND doc_id IN (SELECT unnest(?))",
            [manifest["doc_ids"]],
        ).fetchall()
    ]
    tables = {name: pq.read_table(path / f"{name}.parquet") for name in _FILES}
    with store.transaction():
        if stale:
            for table in ("skill_mentions", "mapping_log"):
                store.con.execute(
                    f"DELETE FROM {table} WHERE doc_type = ? AND taxonomy_version = ? "
                    "AND model_id = ? AND doc_id IN (SELECT unnest(?))",
                    [doc_type, tax, model, stale],
                )
            if doc_type == "vacancy":
                store.con.execute(
                    "DELETE FROM vacancy_occupations WHERE taxonomy_version = ? "
                    "AND model_id = ? AND vacancy_id IN (SELECT unnest(?))",
                    [tax, model, stale],
                )
        n_mentions = _append(store, "skill_mentions", tables["mentions"])
        _append(store, "mapping_log", tables["log"])
        n_occ = _append(store, "vacancy_occupations", tables["occupations"])
    shutil.rmtree(path, ignore_errors=True)
    return {"docs": len(manifest["doc_ids"]), "mentions": n_mentions, "occupations": n_occ}


def _append(store: Any, table: str, data: pa.Table) -> int:
    if data.num_rows == 0:
        return 0
    return int(store.append(table, data.to_pandas()))


def adoptable(store: Any, spool: Path, key: MappingKey) -> list[Path]:
    """Finished partitions left in the spool by a killed run that can be loaded as they are.

    A partition qualifies when it was mapped with the same taxonomy and encoder and every
    document in it is still to map with the same content; anything else (stale, half
    written, another key) is deleted. Loading these first means a killed run loses only
    the partitions that were still being mapped.
    """
    if not spool.is_dir():
        return []
    keep: list[Path] = []
    for path in sorted(spool.iterdir()):
        manifest_file = path / "manifest.json"
        ok = path.is_dir() and not path.name.startswith(".") and manifest_file.is_file()
        if ok:
            try:
                m = json.loads(manifest_file.read_text(encoding="utf-8"))
                ok = (m["taxonomy_version"], m["model_id"]) == (key.taxonomy_version, key.model_id)
                ok = ok and _all_todo(store, m["doc_type"], m["doc_ids"], m["content_hashes"])
            except (OSError, ValueError, KeyError):
                ok = False
        if ok:
            keep.append(path)
        else:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(
                missing_ok=True
            )
    return keep


def _all_todo(store: Any, doc_type: str, ids: list[str], hashes: list[str]) -> bool:
    if doc_type not in DOC_TABLES or len(ids) != len(hashes) or not ids:
        return False
    n = store.con.execute(
        f"SELECT count(*) FROM todo_{doc_type} t JOIN (SELECT unnest(?) AS doc_id, "
        "unnest(?) AS content_hash) s USING (doc_id, content_hash)",
        [ids, hashes],
    ).fetchone()[0]
    return int(n) == len(ids)
