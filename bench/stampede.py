"""Benchmark of the public pages under a stampede (PRODUCT.md: "the board and public pages
hold a stampede: hundreds of requests per second on 2 cores with low tail latency").

    python bench/stampede.py [--seconds 10] [--connections 64] [--workers 2]
                             [--database sqlite|postgres] [--repeat 3]

Loads the demo scenario (3 days of border reports, 240 offers) into a fresh database,
starts the real server (`haven serve`: gunicorn, WEB_CONCURRENCY workers × 4 threads,
DEBUG off, Redis as the shared cache when it answers) and hammers each public page with
`wrk` (from Debian's packages; a Python load generator if it is missing, which competes
for the same cores and reads low). Every page is measured against a baseline in the same
run: a static file served by WhiteNoise through the same WSGI stack, the cheapest answer
the server can give. The board's figures are also set against recomputing it for every
request (what the cache saves). Prints a table and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    ("static file (baseline)", "/static/web/haven.css"),
    ("border board, JSON", "/api/border/checkpoints"),
    ("border board, page", "/border/"),
    ("offers in Uralsk, page", "/offers/?city=uralsk"),
    ("offers in Uralsk, JSON", "/api/offers?city=uralsk"),
    ("start page", "/"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _haven(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "haven", *args], env=env, cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _database(kind: str, tmp: Path) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'haven.sqlite3'}", None
    import psycopg

    name = f"haven_stampede_{os.getpid()}"
    admin = "postgres://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgres://postgres@127.0.0.1:5432/{name}", drop


def _wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not found:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += sum(int(g) for g in errors.groups())
    return {"rps": rps, "p50_ms": ms("50"), "p90_ms": ms("90"), "p99_ms": ms("99"), "failed": failed}


def _python_load(url: str, seconds: int, connections: int) -> dict[str, float]:
    async def run() -> tuple[list[float], int]:
        latencies: list[float] = []
        failed = 0
        deadline = time.monotonic() + seconds
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:

            async def worker() -> None:
                nonlocal failed
                while time.monotonic() < deadline:
                    t0 = time.monotonic()
                    try:
                        response = await client.get(url)
                        if response.status_code >= 400:
                            failed += 1
                    except httpx.HTTPError:
                        failed += 1
                    latencies.append((time.monotonic() - t0) * 1000)

            await asyncio.gather(*(worker() for _ in range(connections)))
        return latencies, failed

    latencies, failed = asyncio.run(run())
    latencies.sort()

    def q(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {"rps": len(latencies) / seconds, "p50_ms": q(0.5), "p90_ms": q(0.9), "p99_ms": q(0.99), "failed": failed}


def _board_compute_seconds(env: dict[str, str], repeat: int = 3) -> float:
    """What one request would cost if the board were computed per request."""
    code = (
        "import time, django; django.setup()\n"
        "from haven.borders.selectors import board_compute\n"
        f"t = []\nfor _ in range({repeat}):\n"
        "    s = time.perf_counter(); board_compute(); t.append(time.perf_counter() - s)\n"
        "print(sorted(t)[len(t) // 2])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "haven.settings"},
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="rounds over all pages; medians reported")
    parser.add_argument(
        "--database", choices=("sqlite", "postgres"),
        default="postgres" if _reachable("127.0.0.1", 5432) else "sqlite",
    )  # fmt: skip
    args = parser.parse_args()

    tool = "wrk" if shutil.which("wrk") else "python"
    tmp = Path(tempfile.mkdtemp(prefix="haven-stampede-"))
    database_url, drop = _database(args.database, tmp)
    port = _free_port()
    redis = _reachable("127.0.0.1", 6379)
    env = {
        **os.environ, "HAVEN_ENV": "test", "DEBUG": "0", "DATABASE_URL": database_url,
        "PORT": str(port), "WEB_CONCURRENCY": str(args.workers),
        "REDIS_URL": "redis://127.0.0.1:6379/3" if redis else "",
    }  # fmt: skip
    print(f"database {args.database}, cache {'redis' if redis else 'in-process'}, "
          f"{args.workers} workers × 4 threads, load by {tool}, {args.connections} connections, "
          f"{args.seconds} s per page × {args.repeat} rounds", flush=True)  # fmt: skip
    print("loading the demo scenario ...", flush=True)
    if redis:
        import redis as redis_client

        redis_client.Redis(host="127.0.0.1", port=6379, db=3).flushdb()
    _haven(env, "demo")
    board_s = _board_compute_seconds(env)
    server = subprocess.Popen(
        [sys.executable, "-m", "haven", "serve"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/api/border/checkpoints", timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        load = _wrk if tool == "wrk" else _python_load
        rounds: dict[str, list[dict[str, float]]] = {path: [] for _name, path in PAGES}
        for r in range(args.repeat):
            for name, path in PAGES:
                load(base + path, 2, min(8, args.connections))  # warm every worker's cache
                figures = load(base + path, args.seconds, args.connections)
                rounds[path].append(figures)
                print(f"  round {r + 1}: {name:26} {figures['rps']:8.0f} req/s  "
                      f"p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  "
                      f"failed {figures['failed']:.0f}", flush=True)  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if drop is not None:
            drop()
        shutil.rmtree(tmp, ignore_errors=True)

    def med(path: str, key: str) -> float:
        return statistics.median(f[key] for f in rounds[path])

    baseline = med(PAGES[0][1], "rps")
    print()
    print(f"{'page':28} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'failed':>7} {'vs static':>9}")
    result: dict[str, Any] = {
        "database": args.database, "cache": "redis" if redis else "locmem", "load": tool,
        "workers": args.workers, "connections": args.connections, "seconds": args.seconds,
        "repeat": args.repeat, "pages": {},
    }  # fmt: skip
    for name, path in PAGES:
        row = {k: med(path, k) for k in ("rps", "p50_ms", "p90_ms", "p99_ms", "failed")}
        row["vs_static"] = row["rps"] / baseline if baseline else float("nan")
        result["pages"][path] = {k: round(v, 3) for k, v in row.items()}
        print(f"{name:28} {row['rps']:8.0f} {row['p50_ms']:8.1f} {row['p90_ms']:8.1f} "
              f"{row['p99_ms']:8.1f} {row['failed']:7.0f} {row['vs_static']:9.2f}")  # fmt: skip
    uncached = args.workers / board_s
    board = result["pages"]["/api/border/checkpoints"]["rps"]
    result["board_compute_s"] = round(board_s, 3)
    result["board_uncached_max_rps"] = round(uncached, 2)
    result["board_cached_over_uncached"] = round(board / uncached, 1)
    print(f"\nboard computed per request: {board_s:.2f} s each, so at most {uncached:.1f} req/s "
          f"on {args.workers} workers; cached: {board:.0f} req/s ({board / uncached:.0f}×)")  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
