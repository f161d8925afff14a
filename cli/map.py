"""`skillgap map`: text -> ranked ESCO skills, interactively or over a JSONL file.

    skillgap map --text "Experience with Python and stakeholder management"
    skillgap map --input queries.jsonl --output ranked.jsonl --top-k 10 [--extract]

Input lines are ``{"id": ..., "text": ...}``; output lines are ``{"id": ..., "skills":
[{"uri", "label", "score", "method"}, ...]}`` best first - the contract the evaluation
reads, so keep it stable. A line that cannot be mapped still gets an output line, with an
``"error"`` saying why, so ids never go missing silently.
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


def _read_jsonl(path: Path) -> list[tuple[int, object, str | None, str | None]]:
    """(line number, id, text, error) per non-blank line; bad lines are kept with a reason."""
    import json

    from skillgap.errors import InputError

    if not path.is_file():
        raise InputError(f"{path}: no such input file")
    records = []
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                records.append((n, None, None, f"line {n}: not valid UTF-8 ({exc.reason})"))
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                records.append((n, None, None, f"line {n}: invalid JSON ({exc.msg})"))
                continue
            if not isinstance(rec, dict) or "text" not in rec:
                records.append((n, None, None, f"line {n}: expected an object with 'text'"))
                continue
            rid = rec.get("id", n)
            text = rec["text"]
            if not isinstance(text, str):
                records.append((n, rid, None, f"line {n}: 'text' must be a string"))
                continue
            records.append((n, rid, text, None))
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
    ) -> None:
        """Map text to ESCO skills: a table for --text, a JSONL file for --input."""
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
                good = [(r, mapper.problem(r[2])) for r in chunk if r[3] is None]
                ok = [r for r, why in good if why is None]
                hits = dict(zip([r[0] for r in ok], run([r[2] for r in ok]), strict=True))
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
