"""`skillgap taxonomy download`: the real download code against an HTTP server on 127.0.0.1
serving the official zips from ../shared (no outside network)."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from skillgap.config import Settings
from skillgap.errors import InputError, MissingDataError
from skillgap.taxonomies.download import bundle_files, bundle_urls, download_bundle
from skillgap.taxonomies.store import load_taxonomy
from tests.shared_data import shared_path

pytestmark = pytest.mark.network


class _Server:
    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        log = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *_args) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                log.append(self.path)
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(Handler, directory=str(root))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/esco/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    servers: list[_Server] = []

    def start(folder: Path) -> _Server:
        root = tmp_path / f"www{len(servers)}"
        root.mkdir()
        (root / "esco").symlink_to(folder.resolve())
        servers.append(_Server(root))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def test_urls_follow_the_ec_pattern() -> None:
    assert bundle_urls("1.1.1", "en") == [
        "https://ec.europa.eu/esco/download/ESCO%20dataset%20-%20v1.1.1%20-%20classification"
        "%20-%20en%20-%20csv.zip",
        "https://ec.europa.eu/esco/download/ESCO%20dataset%20-%20v1.1.1%20-%20classification"
        "%20-%20%20-%20csv.zip",
    ]


def test_download_fetches_identical_zips(serve, tmp_path: Path) -> None:
    shared = shared_path("esco", "v1.1.1")
    server = serve(shared)
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    got = download_bundle("1.1.1", "en", settings, base_url=server.url)
    assert [p.name for p in got] == [
        "ESCO dataset - v1.1.1 - classification - en - csv.zip",
        "ESCO dataset - v1.1.1 - classification -  - csv.zip",
    ]
    for p in got:
        assert p.read_bytes() == (shared / p.name).read_bytes()
    assert len(server.requests) == 2
    # Cached zips are reused: no second request.
    download_bundle("1.1.1", "en", settings, base_url=server.url)
    assert len(server.requests) == 2


def test_missing_version_is_a_404(serve, tmp_path: Path) -> None:
    server = serve(tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    with pytest.raises(InputError, match=r"v9\.9\.9.*not found \(HTTP 404\); check --version"):
        download_bundle("9.9.9", "en", settings, base_url=server.url)


def test_truncated_download_is_refused(serve, tmp_path: Path) -> None:
    src = next(shared_path("esco", "v1.1.1").glob("*- en - csv.zip"))
    site = tmp_path / "site"
    site.mkdir()
    with src.open("rb") as fh:
        (site / src.name).write_bytes(fh.read(100_000))
    server = serve(site)
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    with pytest.raises(InputError, match=r"en%20-%20csv\.zip: the download is not a valid zip"):
        download_bundle("1.1.1", "en", settings, base_url=server.url)
    assert not list((tmp_path / "d" / "cache" / "esco" / "v1.1.1").iterdir())


def test_offline_gives_a_clear_message(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    with pytest.raises(
        MissingDataError, match=r"cannot download .*are you offline.*taxonomy import"
    ):
        download_bundle("1.1.1", "en", settings, base_url=f"http://127.0.0.1:{port}/", timeout=5)


def test_cli_download(serve, tmp_path: Path, monkeypatch) -> None:
    """The command end to end (download, verify, import, summary) on small zips that
    carry the official names; the shared zips themselves are covered above."""
    import zipfile

    from typer.testing import CliRunner

    from skillgap.cli.main import app
    from skillgap.config import get_settings
    from tests.test_taxonomy_bad_input import mini_bundle

    site = tmp_path / "site"
    site.mkdir()
    csvs = mini_bundle(tmp_path / "b")
    en, rel = (site / n for n in bundle_files("1.1.1", "en"))
    with zipfile.ZipFile(en, "w") as zf:
        for p in csvs.iterdir():
            zf.write(p, p.name)
    with zipfile.ZipFile(rel, "w") as zf:
        zf.writestr("skillSkillRelations.csv", "originalSkillUri,relationType,relatedSkillUri\n")
    # Pre-seed the relations zip in the cache: the CLI must fetch only the missing one.
    cache = tmp_path / "d" / "cache" / "esco" / "v1.1.1"
    cache.mkdir(parents=True)
    shutil.copy(rel, cache / rel.name)
    server = serve(site)
    monkeypatch.setenv("SKILLGAP_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("SKILLGAP_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        args = ["taxonomy", "download", "--version", "1.1.1", "--language", "en"]
        result = CliRunner().invoke(app, [*args, "--base-url", server.url])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert server.requests == [
        "/esco/ESCO%20dataset%20-%20v1.1.1%20-%20classification%20-%20en%20-%20csv.zip"
    ]
    tax = load_taxonomy(settings=Settings(data_dir=tmp_path / "d", taxonomy=None))
    assert tax.version == "1.1.1" and tax.counts()["skills"] == 3
    assert tax.manifest["file_naming"] == "v1.1"
    assert tax.snapshot_id in result.output
