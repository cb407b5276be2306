"""A real WordPress for the live connector test: Debian's package, PHP's server, MariaDB.

The first run installs the Debian packages if they are missing (deploy/local/wordpress/
install-packages.sh), copies /usr/share/wordpress, creates a MariaDB datadir, installs
WordPress through `wp_install()` and seeds municipal posts through `wp_insert_post()`. The
result (site copy + pristine datadir) is cached under `<state_dir>/wordpress/<key>`, keyed by
the WordPress and MariaDB versions and the setup files, so later sessions only copy the datadir
and start two processes. Each session works on its own copy of the datadir, so edits made by
tests never leak into the cache. A setup failure raises: the live test fails, it never skips.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.core.settings import PROJECT_ROOT, Settings

SETUP_DIR = PROJECT_ROOT / "deploy" / "local" / "wordpress"
DEBIAN_WORDPRESS = Path("/usr/share/wordpress")
DB_NAME, DB_USER, DB_PASSWORD = "wordpress", "wordpress", "wordpress-test-only"


class WordPressSetupError(RuntimeError):
    """The live WordPress could not be installed or started; the message says what failed."""


@dataclass
class WordPressSite:
    """A running WordPress: its base URL, the seeded ids and a way to run PHP inside it."""

    url: str
    docroot: Path
    env: dict[str, str]
    seed: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    def php(self, code: str) -> str:
        """Run `code` inside WordPress (wp-load.php included) and return its output."""
        return _run(
            ["php", str(SETUP_DIR / "wp-eval.php"), str(self.docroot)], env=self.env, stdin=code
        )

    def post_id(self, key: str) -> int:
        return int(self.seed["posts"][key])

    def category_id(self, slug: str) -> int:
        return int(self.seed["categories"][slug])


@contextlib.contextmanager
def running_wordpress(
    state_dir: Path | None = None, public_url: str | None = None
) -> Iterator[WordPressSite]:
    """Install (once, cached) and start WordPress + MariaDB; stop both on exit. `public_url`
    is the address WordPress calls its own (its links) when a proxy serves it there."""
    started = time.monotonic()
    _run(["sh", str(SETUP_DIR / "install-packages.sh")], timeout=1200)
    root = (state_dir or Settings(environment="test").state_dir) / "wordpress"
    root.mkdir(parents=True, exist_ok=True)
    cache = root / _cache_key()
    built = False
    with _locked(root / ".lock"):
        if not (cache / "ready").exists():
            _build(cache)
            built = True
    prepared = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fhub-wp-") as tmp:
        work = Path(tmp)
        shutil.copytree(cache / "db", work / "db", symlinks=True)
        with _mariadb(work / "db", work) as db_port:
            site_port = _free_port()
            url = f"http://127.0.0.1:{site_port}"
            env = _wp_env(public_url or url, db_port)
            with _php_server(cache / "site", site_port, env, work):
                seed = json.loads((cache / "seed.json").read_text())
                timings = {
                    "install_and_build_s" if built else "cache_check_s": prepared - started,
                    "start_s": time.monotonic() - prepared,
                }
                yield WordPressSite(url, cache / "site", env, seed, timings)


def _cache_key() -> str:
    version_php = (DEBIAN_WORDPRESS / "wp-includes" / "version.php").read_text()
    found = re.search(r"\$wp_version = '([^']+)'", version_php)
    wp_version = found.group(1) if found else "unknown"
    maria = _run([_mariadbd(), "--version"]).split()
    maria_version = next((p for p in maria if re.match(r"\d+\.\d+\.\d+", p)), "unknown")
    digest = hashlib.sha256()
    for path in sorted(SETUP_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return f"wp-{wp_version}_mariadb-{maria_version.split('-')[0]}_{digest.hexdigest()[:10]}"


def _build(cache: Path) -> None:
    """Copy WordPress, create the database, install and seed it, keep a pristine datadir."""
    staging = cache.with_name(cache.name + f".build-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        site = staging / "site"
        shutil.copytree(DEBIAN_WORDPRESS, site, symlinks=True)
        (site / ".htaccess").unlink(missing_ok=True)
        (site / "wp-config.php").unlink()
        shutil.copy(SETUP_DIR / "wp-config.php", site / "wp-config.php")
        shutil.copytree(SETUP_DIR / "mu-plugins", site / "wp-content" / "mu-plugins")
        _install_db(staging / "db")
        with _mariadb(staging / "db", staging) as db_port:
            _create_database(staging)
            env = _wp_env("http://127.0.0.1:8080", db_port)
            _run(["php", str(SETUP_DIR / "install.php"), str(site)], env=env, timeout=300)
            seed = _run(["php", str(SETUP_DIR / "seed.php"), str(site)], env=env, timeout=300)
        (staging / "seed.json").write_text(seed.strip().splitlines()[-1])
        for leftover in ("mariadb.err", "mysqld.sock", "mysqld.pid", "tmp"):
            path = staging / leftover
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        (staging / "ready").write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
        shutil.rmtree(cache, ignore_errors=True)
        staging.rename(cache)
        for stale in cache.parent.glob("wp-*"):  # builds for older versions or setup files
            if stale.is_dir() and stale != cache and ".build-" not in stale.name:
                shutil.rmtree(stale, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _install_db(datadir: Path) -> None:
    installer = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if not installer:
        raise WordPressSetupError("mariadb-install-db not found after installing mariadb-server")
    _run(
        [
            installer,
            "--no-defaults",
            f"--datadir={datadir}",
            "--user=root",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
            *_innodb_options(),
        ],
        timeout=300,
    )


def _innodb_options() -> list[str]:
    return [
        "--innodb-buffer-pool-size=64M",
        "--innodb-log-file-size=16M",
        "--innodb-flush-log-at-trx-commit=2",
        "--character-set-server=utf8mb4",
    ]


def _create_database(work: Path) -> None:
    client = shutil.which("mariadb") or shutil.which("mysql") or "mariadb"
    sql = (
        f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        f"CREATE USER '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{DB_PASSWORD}';"
        f"GRANT ALL PRIVILEGES ON {DB_NAME}.* TO '{DB_USER}'@'127.0.0.1';"
    )
    _run([client, "--no-defaults", f"--socket={work / 'mysqld.sock'}", "-uroot", "-e", sql])


@contextlib.contextmanager
def _mariadb(datadir: Path, work: Path) -> Iterator[int]:
    """Run mariadbd on 127.0.0.1:<free port> with its socket in `work`; yield the port."""
    port = _free_port()
    (work / "tmp").mkdir(exist_ok=True)
    log = work / "mariadb.err"
    command = [
        _mariadbd(),
        "--no-defaults",
        f"--datadir={datadir}",
        f"--socket={work / 'mysqld.sock'}",
        f"--pid-file={work / 'mysqld.pid'}",
        f"--tmpdir={work / 'tmp'}",
        f"--log-error={log}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        "--user=root",
        *_innodb_options(),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait_for_port(port, process, log, "MariaDB")
        yield port
    finally:
        _stop(process)


@contextlib.contextmanager
def _php_server(docroot: Path, port: int, env: dict[str, str], work: Path) -> Iterator[None]:
    """PHP's built-in server; unknown paths fall back to index.php, as pretty permalinks need."""
    log = work / "php-server.log"
    command = [
        "php",
        "-d",
        "display_errors=0",
        "-d",
        "log_errors=1",
        "-d",
        f"error_log={log}",
        "-S",
        f"127.0.0.1:{port}",
        "-t",
        str(docroot),
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            env={**env, "PHP_CLI_SERVER_WORKERS": "4"},
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        _wait_for_port(port, process, log, "PHP server")
        _wait_for_rest(f"http://127.0.0.1:{port}/?rest_route=/", process, log)
        yield
    finally:
        _stop(process)


def _wp_env(url: str, db_port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "FHUB_WP_URL": url,
        "FHUB_WP_DB_HOST": f"127.0.0.1:{db_port}",
        "FHUB_WP_DB_NAME": DB_NAME,
        "FHUB_WP_DB_USER": DB_USER,
        "FHUB_WP_DB_PASSWORD": DB_PASSWORD,
    }


def _mariadbd() -> str:
    for name in ("mariadbd", "mysqld"):
        found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))
        if found:
            return found
    raise WordPressSetupError("mariadbd not found after installing mariadb-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise WordPressSetupError(f"{what} exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise WordPressSetupError(f"{what} did not listen on port {port} in 60 s:\n{_tail(log)}")


def _wait_for_rest(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    last = ""
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200 and b'"namespaces"' in response.read():
                    return
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise WordPressSetupError(f"WordPress REST API not answering at {url} ({last}):\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process we started and its children (PHP's server forks workers): its own group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # forked workers may outlive the parent by a moment; make sure the group is gone
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One builder at a time: parallel test sessions wait for the cache instead of racing."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> str:
    try:
        done = subprocess.run(
            command, env=env, input=stdin, capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise WordPressSetupError(f"{' '.join(command)} failed: {exc}") from exc
    if done.returncode != 0:
        raise WordPressSetupError(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def _tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
