"""`skillgap map`: text -> ranked ESCO skills (or occupations), interactively or over JSONL.

    skillgap map --text "Experience with Python and stakeholder management"
    skillgap map --input queries.jsonl --output ranked.jsonl --top-k 10 [--extract]
    skillgap map --occupations --input ads.jsonl --output occupations.jsonl

Skills: input lines are ``{"id": ..., "text": ...}``; output lines are ``{"id": ...,
"skills": [{"uri", "label", "score", "method", "evidence", "sentence", "phrase"}, ...]}``
best first - the contract the evaluation reads, so keep it stable. ``evidence`` is the
ESCO label that matched, ``sentence`` the sentence of the text that states the skill and
``phrase`` the part of it that matched best, so anyone can check a mapping without the
store. With ``--extract`` a whole document (an ad, a course description) gives the skills
it asks for; without, each text is ranked as one query.

Occupations: input lines are ``{"id", "title", "text"}`` (``text`` optional); output lines
``{"id", "occupations": [{"uri", "label", "score"}, ...]}`` best first, empty when the
mapper abstains (the best match is too uncertain on real titles; the line then says
``"abstained": true``).

A line that cannot be mapped still gets an output line, with an ``"error"`` saying why,
so ids never go missing silently.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def _load_taxonomy():
    from skillgap.errors import MissingDataError

    try:
        from skillgap.taxonomies.store import load_taxonomy  # type: ignore[import-not-found]
    except ImportError as exc:
        raise MissingDataError(
            "no taxonomy store is available in this build; import a taxonomy first "
            "(`skillgap taxonomy import PATH`)"
        ) from exc
    return load_taxonomy()


def _read_jsonl(
    path: Path, required: tuple[str, ...] = ("text",), optional: tuple[str, ...] = ()
) -> list[tuple[int, object, dict[str, str], str | None]]:
    """(line number, id, string fields, error) per non-blank line; bad lines are kept with
    a reason. ``required`` fields must be strings; ``optional`` ones may be absent."""
    import json

    from skillgap.errors import InputError

    if not path.is_file():
        raise InputError(f"{path}: no such input file")
    need = " and ".join(f"'{f}'" for f in required)
    records: list[tuple[int, object, dict[str, str], str | None]] = []
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                records.append((n, None, {}, f"line {n}: not valid UTF-8 ({exc.reason})"))
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                records.append((n, None, {}, f"line {n}: invalid JSON ({exc.msg})"))
                continue
            if not isinstance(rec, dict) or any(f not in rec for f in required):
                records.append((n, None, {}, f"line {n}: expected an object with {need}"))
                continue
            rid = rec.get("id", n)
            fields: dict[str, str] = {}
            bad = None
            for f in (*required, *optional):
                value = rec.get(f)
                if value is None and f in optional:
                    continue
                if not isinstance(value, str):
                    bad = f"line {n}: '{f}' must be a string"
                    break
                fields[f] = value
            records.append((n, rid, fields if bad is None else {}, bad))
    return records


def _check_output(path: Path) -> None:
    """Refuse an --output that cannot be written, before any model is loaded."""
    import os

    if path.is_dir():
        raise typer.BadParameter(
            f"{path} is a directory; give the JSONL file to write, e.g. {path / 'ranked.jsonl'}",
            param_hint="--output",
        )
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise typer.BadParameter(
            f"cannot create {path}: {parent} is not writable", param_hint="--output"
        )


def _write_jsonl_atomic(path: Path, lines: list[dict]) -> None:
    import json

    from skillgap.fileutil import atomic_write

    text = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in lines)
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def register(app: typer.Typer) -> None:
    """Add ``map`` to the root app."""

    @app.command("map")
    def map_cmd(
        text: str | None = typer.Option(None, "--text", "-t", help="Text to map."),
        input_path: Path | None = typer.Option(
            None, "--input", "-i", help='JSONL file of {"id": ..., "text": ...} lines.'
        ),
        output_path: Path | None = typer.Option(
            None, "--output", "-o", help="JSONL file to write (with --input)."
        ),
        top_k: int = typer.Option(10, "--top-k", "-k", min=1, help="Skills per text."),
        extract: bool = typer.Option(
            False, "--extract", help="Thresholded skills (precision first) instead of a ranking."
        ),
        model_path: Path | None = typer.Option(
            None, "--model-path", help="Local sentence-transformers model directory."
        ),
        occupations: bool = typer.Option(
            False,
            "--occupations",
            help='ESCO occupations instead of skills; input lines {"id", "title", "text"}.',
        ),
    ) -> None:
        """Map text to ESCO skills (or occupations): a table for --text, JSONL for --input."""
        from skillgap.errors import InputError

        if (text is None) == (input_path is None):
            raise typer.BadParameter("give exactly one of --text or --input")
        if input_path is not None and output_path is None:
            raise typer.BadParameter(
                "--input needs --output (the JSONL file to write)", param_hint="--output"
            )
        if output_path is not None:
            _check_output(output_path)
        if input_path is not None and not input_path.is_file():
            raise InputError(f"{input_path}: no such input file")
        if occupations:
            _map_occupations(text, input_path, output_path, top_k, model_path)
            return

        from rich.progress import Progress

        from skillgap.config import get_settings
        from skillgap.nlp.mapper import SkillMapper

        taxonomy = _load_taxonomy()
        with err_console.status("loading skill index (built once per taxonomy and model)"):
            mapper = SkillMapper.load(taxonomy, get_settings(), model_path=model_path)

        def run(texts: list[str]) -> list[list]:
            if extract:
                return [h[:top_k] for h in mapper.extract(texts)]
            return mapper.rank(texts, top_k=top_k)

        if text is not None:
            reason = mapper.problem(text)
            if reason:
                raise InputError(f"--text: {reason}")
            _print_table(run([text])[0], extract)
            return

        assert input_path is not None and output_path is not None
        records = _read_jsonl(input_path)
        out: list[dict] = []
        errors = 0
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("mapping", total=len(records))
            for start in range(0, len(records), 256):
                chunk = records[start : start + 256]
                good = [(r, mapper.problem(r[2].get("text"))) for r in chunk if r[3] is None]
                ok = [r for r, why in good if why is None]
                hits = dict(zip([r[0] for r in ok], run([r[2]["text"] for r in ok]), strict=True))
                why_of = {r[0]: why for r, why in good}
                for n, rid, _t, err in chunk:
                    reason = err or why_of.get(n)
                    rec: dict = {"id": rid, "skills": []}
                    if reason:
                        errors += 1
                        rec["error"] = (
                            reason if reason.startswith("line") else f"line {n}: {reason}"
                        )
                    else:
                        rec["skills"] = [
                            {
                                "uri": h.uri,
                                "label": h.label,
                                "score": round(h.score, 6),
                                "method": h.method,
                                "evidence": h.evidence,
                                "sentence": h.sentence,
                                "phrase": h.phrase,
                            }
                            for h in hits[n]
                        ]
                    out.append(rec)
                bar.advance(task, len(chunk))
        _write_jsonl_atomic(output_path, out)
        err_console.print(
            f"wrote {len(out)} lines to {output_path} ({errors} with an error; "
            f"model {mapper.model_id})"
        )


def _map_occupations(
    text: str | None,
    input_path: Path | None,
    output_path: Path | None,
    top_k: int,
    model_path: Path | None,
) -> None:
    """``map --occupations``: one title on the command line, or a JSONL file of ads."""
    from skillgap.cli.output import plain
    from skillgap.nlp.occupations import ABSTAIN_BELOW, map_occupations

    taxonomy = _load_taxonomy()
    if text is not None:
        hits = map_occupations([text], [""], taxonomy, top_k=top_k, model_path=model_path)[0]
        if not hits:
            console.print(
                plain(f"no occupation: the best match is below confidence {ABSTAIN_BELOW}")
            )
            return
        from rich.table import Table

        table = Table()
        for col in ("#", "occupation", "URI", "score", "matched label"):
            table.add_column(col, overflow="fold")
        for i, h in enumerate(hits, start=1):
            table.add_row(str(i), plain(h.label), h.uri, f"{h.score:.3f}", plain(h.evidence))
        console.print(table)
        return
    assert input_path is not None and output_path is not None
    records = _read_jsonl(input_path, required=("title",), optional=("text",))
    ok = [r for r in records if r[3] is None]
    with err_console.status(f"mapping {len(ok):,} titles to ESCO occupations"):
        found = map_occupations(
            [r[2]["title"] for r in ok],
            [r[2].get("text", "") for r in ok],
            taxonomy,
            top_k=top_k,
            model_path=model_path,
        )
    hits_of = {r[0]: h for r, h in zip(ok, found, strict=True)}
    out: list[dict] = []
    for n, rid, _fields, err in records:
        rec: dict = {"id": rid, "occupations": []}
        if err:
            rec["error"] = err
        else:
            rec["occupations"] = [
                {"uri": h.uri, "label": h.label, "score": round(h.score, 6)} for h in hits_of[n]
            ]
            if not hits_of[n]:
                rec["abstained"] = True
        out.append(rec)
    _write_jsonl_atomic(output_path, out)
    abstained = sum(1 for r in out if r.get("abstained"))
    errors = sum(1 for r in out if "error" in r)
    err_console.print(
        plain(
            f"wrote {len(out)} lines to {output_path} ({abstained} abstained below confidence "
            f"{ABSTAIN_BELOW}, {errors} with an error)"
        )
    )


def _print_table(hits: list, extract: bool) -> None:
    from rich.table import Table

    if not hits:
        console.print("no skill passed the threshold" if extract else "no skills found")
        return
    table = Table(show_lines=False)
    for col in ("#", "label", "URI", "score", "method", "evidence"):
        table.add_column(col, overflow="fold")
    for i, h in enumerate(hits, start=1):
        ev = h.evidence if h.evidence == h.label else f"{h.evidence}"
        if h.phrase and h.phrase != h.sentence:
            ev = f'{ev} <- "{h.phrase}"'
        table.add_row(str(i), h.label, h.uri, f"{h.score:.3f}", h.method, ev)
    console.print(table)
