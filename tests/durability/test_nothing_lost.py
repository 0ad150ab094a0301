"""Nothing acknowledged is lost: the real server (gunicorn via ``haven serve``) takes writes
from several clients while it is killed with SIGKILL, or while PostgreSQL restarts under
it; every write that was answered 201 is there afterwards, an outage answers 503 (never
500), and the same server recovers by itself once the database is back.

These tests start and kill processes and restart the PostgreSQL cluster, so they run on
their own (``make test-durability``, marker ``durability``), never beside other tests.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.durability

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/haven")
_names = itertools.count()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _need(n: int) -> dict[str, Any]:
    import datetime as dt

    today = dt.date.today()
    return {
        "kind": "housing", "city": "uralsk", "date_from": today.isoformat(),
        "date_to": (today + dt.timedelta(days=3)).isoformat(), "adults": 1 + n % 3,
        "children": 0, "free_only": True,
    }  # fmt: skip


class Server:
    """``haven serve`` in its own process group, as production runs it (DEBUG off)."""

    def __init__(self, database_url: str, tmp: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HAVEN_ENV": "test",
            "DEBUG": "0",
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            "HAVEN_MASTER_KEY": "",
        }
        self.log_path = tmp / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "haven", *args], env=self.env, cwd=ROOT, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "haven", "serve"], env=self.env, cwd=ROOT,
                stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/border/checkpoints", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: a crash, not a shutdown."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


class Writers:
    """Clients posting requests for help in a loop; they remember what was acknowledged."""

    def __init__(self, server: Server, tokens: list[str]) -> None:
        self.server, self.tokens = server, tokens
        self.acknowledged: list[str] = []
        self.statuses: list[int] = []
        self.failures = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(token,), daemon=True) for token in tokens
        ]

    def _run(self, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        with httpx.Client(base_url=self.server.url, headers=headers, timeout=10) as client:
            for n in itertools.count():
                if self._stop.is_set():
                    return
                try:
                    response = client.post("/api/needs", json=_need(n))
                except httpx.HTTPError:
                    with self._lock:
                        self.failures += 1
                    time.sleep(0.05)
                    continue
                with self._lock:
                    self.statuses.append(response.status_code)
                    if response.status_code == 201:
                        self.acknowledged.append(response.json()["id"])

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} writes answered"
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def _signup(server: Server, n: int) -> str:
    response = httpx.post(
        f"{server.url}/api/accounts/signup",
        json={"pseudonym": f"durable-{os.getpid()}-{next(_names)}-{n}", "password": "a-long-enough-pass", "role": "seeker"},
        timeout=10,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


@pytest.fixture(scope="module")
def sqlite_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, Callable[[], set[str]]]]:
    tmp_path = tmp_path_factory.mktemp("sqlite")
    path = tmp_path / "haven.sqlite3"
    server = Server(f"sqlite:///{path}", tmp_path)
    server.manage("migrate", "--no-input")

    def stored() -> set[str]:
        with sqlite3.connect(path) as db:
            return {row[0] for row in db.execute("SELECT public_id FROM aid_need")}

    yield server, stored
    server.stop()


def _postgres() -> Any:
    import psycopg

    return psycopg.connect(POSTGRES.rsplit("/", 1)[0] + "/postgres", autocommit=True)


@pytest.fixture(scope="module")
def postgres_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, Callable[[], set[str]]]]:
    """One migrated database for the module; each test starts (and kills) its server."""
    import psycopg

    tmp_path = tmp_path_factory.mktemp("postgres")
    name = f"haven_durability_{os.getpid()}"
    try:
        admin = _postgres()
    except psycopg.OperationalError:
        if os.environ.get("HAVEN_REQUIRE_POSTGRES"):
            raise
        pytest.skip("PostgreSQL is not reachable")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES.rsplit("/", 1)[0] + "/" + name
    server = Server(url, tmp_path)
    server.manage("migrate", "--no-input")

    def stored() -> set[str]:
        with psycopg.connect(url) as db:
            return {row[0] for row in db.execute("SELECT public_id FROM aid_need")}

    yield server, stored
    server.stop()
    _wait_for_postgres()
    with _postgres() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_for_postgres(timeout: float = 60) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            _postgres().close()
            return
        except psycopg.OperationalError:
            assert time.monotonic() < deadline, "PostgreSQL did not come back"
            time.sleep(0.2)


def _crash_while_writing(server: Server, stored: Callable[[], set[str]]) -> None:
    server.start()
    try:
        _crash_and_check(server, stored)
    finally:
        server.stop()


def _crash_and_check(server: Server, stored: Callable[[], set[str]]) -> None:
    writers = Writers(server, [_signup(server, n) for n in range(4)])
    writers.start()
    try:
        writers.wait_for(60)
        server.kill()
        answered = set(writers.acknowledged)
    finally:
        writers.stop()
    server.start()  # the same database, a new process
    assert answered <= stored()  # every acknowledged write survived the crash
    assert 500 not in writers.statuses
    # The restarted server serves each writer's data.
    token = writers.tokens[0]
    mine = httpx.get(
        f"{server.url}/api/needs", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert mine.status_code == 200


def test_a_killed_server_loses_no_acknowledged_write_sqlite(sqlite_server: Any) -> None:
    _crash_while_writing(*sqlite_server)


def test_a_killed_server_loses_no_acknowledged_write_postgres(postgres_server: Any) -> None:
    _crash_while_writing(*postgres_server)


def _cluster() -> tuple[str, str]:
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        version, cluster, port, *_rest = line.split()
        if port == "5432":
            return version, cluster
    pytest.skip("no local PostgreSQL cluster to restart")


def test_a_database_restart_loses_nothing_and_the_server_recovers(postgres_server: Any) -> None:
    server, stored = postgres_server
    version, cluster = _cluster()
    server.start()
    try:
        _restart_and_check(server, stored, version, cluster)
    finally:
        server.stop()


def _restart_and_check(
    server: Server, stored: Callable[[], set[str]], version: str, cluster: str
) -> None:
    writers = Writers(server, [_signup(server, n) for n in range(4)])
    writers.start()
    try:
        writers.wait_for(40)
        restart = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart", "-m", "fast"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert restart.returncode == 0, restart.stderr
        _wait_for_postgres()
        before = len(writers.acknowledged)
        writers.wait_for(before + 40)  # the same server writes again, without a restart
    finally:
        writers.stop()
        _wait_for_postgres()
    assert set(writers.acknowledged) <= stored()
    assert 500 not in writers.statuses  # the outage was a 503 to retry, never a server error
    assert set(writers.statuses) <= {201, 503}
