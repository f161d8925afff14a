"""Download the official ESCO CSV zips from the European Commission (then import them with
:func:`skillgap.taxonomies.store.import_taxonomy`, as `skillgap taxonomy download` does).

The EC publishes each version as a language zip and a language-independent relations zip
under one folder. Files land in ``cache_dir/esco/v{version}/`` under their official names
(so the importer reads the version from them), are streamed to a temporary file, checked
to be whole zip archives (a proxy's HTML error page or a cut connection is caught here,
not at parse time), and only then renamed into place.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from skillgap.config import Settings, get_settings
from skillgap.errors import InputError, MissingDataError

EC_BASE_URL = "https://ec.europa.eu/esco/download/"
FILE_PATTERN = "ESCO dataset - v{version} - classification - {language} - csv.zip"

# (bytes so far, total bytes or None) for the file being fetched.
ByteProgress = Callable[[str, int, int | None], None]


def bundle_files(version: str, language: str) -> list[str]:
    """Official names of the two zips of a version: language zip, relations zip."""
    v = version.lstrip("v")
    return [
        FILE_PATTERN.format(version=v, language=language),
        FILE_PATTERN.format(version=v, language=""),
    ]


def bundle_urls(version: str, language: str, base_url: str = EC_BASE_URL) -> list[str]:
    base = base_url if base_url.endswith("/") else base_url + "/"
    return [base + quote(name) for name in bundle_files(version, language)]


def _check_zip(path: Path, url: str) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(
            f"{url}: the download is not a valid zip ({exc}); the server sent something "
            "else or the transfer was cut: try again later"
        ) from None
    if bad is not None:
        raise InputError(f"{url}: member {bad} of the downloaded zip fails its CRC check")


def download_bundle(
    version: str,
    language: str,
    settings: Settings | None = None,
    *,
    base_url: str = EC_BASE_URL,
    progress: ByteProgress | None = None,
    timeout: float = 60.0,
) -> list[Path]:
    """Fetch both zips into the cache (reusing valid cached ones); return their paths."""
    import httpx

    s = settings or get_settings()
    folder = s.cache_dir / "esco" / f"v{version.lstrip('v')}"
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for name, url in zip(
        bundle_files(version, language), bundle_urls(version, language, base_url), strict=True
    ):
        target = folder / name
        if target.is_file():
            try:
                _check_zip(target, str(target))
                out.append(target)
                continue
            except InputError:
                target.unlink()
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".dl-", suffix=".zip")
        tmp = Path(tmp_name)
        try:
            with (
                os.fdopen(fd, "wb") as fh,
                httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as resp,
            ):
                if resp.status_code == 404:
                    raise InputError(
                        f"{url}: not found (HTTP 404); check --version {version} and "
                        f"--language {language} against the ESCO download page"
                    )
                if resp.status_code >= 400:
                    raise MissingDataError(
                        f"{url}: the server answered HTTP {resp.status_code}; try again later "
                        "or download the zips by hand and run `skillgap taxonomy import PATH`"
                    )
                total = int(resp.headers.get("content-length") or 0) or None
                done = 0
                for chunk in resp.iter_bytes(1 << 16):
                    fh.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(name, done, total)
            if total is not None and done != total:
                raise InputError(f"{url}: download cut short ({done} of {total} bytes)")
            _check_zip(tmp, url)
            os.replace(tmp, target)
        except httpx.HTTPError as exc:
            raise MissingDataError(
                f"cannot download {url} ({type(exc).__name__}: {exc}); are you offline? "
                "Without network, import a copy of the official zips with "
                "`skillgap taxonomy import PATH`; the embedded default (ESCO v1.1.1, "
                "English) needs no download"
            ) from None
        finally:
            tmp.unlink(missing_ok=True)
        out.append(target)
    return out
