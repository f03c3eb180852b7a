"""Serving processes for the benchmarks: a free port, a server started in a process group of its
own and waited for until it listens, stopped (group and all) at the end, and the memory of its
processes read from /proc."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The API's command line as users run it, from the same environment as the harness.
CLI = Path(sys.executable).with_name("conflict-reports")


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]

    def rss_peak_mb(self) -> float:
        """Peak RSS of the serving process; with several workers, of the largest worker."""
        pids = children(self.process.pid) or [self.process.pid]
        return max(peak_rss_mb(pid) for pid in pids)


def children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in listed]


def peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def workers_of(pid: int) -> list[int]:
    """The serving processes: uvicorn's workers (not multiprocessing's resource tracker), or
    the process itself when it serves alone (one worker)."""
    workers = []
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            workers.append(child)
    return workers or [pid]


def rss_mb(pid: int) -> float:
    """Resident memory now of the serving processes, summed."""
    total = 0
    for each in workers_of(pid):
        status = Path(f"/proc/{each}/status").read_text()
        total += next(int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmRSS:")
    return total / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Benchmarks measure serving, from one address at thousands of requests a second: the rate
# limits (app.core.http.ratelimit) are off unless a benchmark sets them.
UNLIMITED = {"RATE_LIMIT_READS": "off", "RATE_LIMIT_WRITES": "off"}


@contextmanager
def serve(
    name: str, command: list[str], env: dict[str, str], port: int, *, cwd: Path = ROOT
) -> Iterator[Server]:
    """Run `command` (which must listen on `port`) until the block ends; its stderr is kept
    and shown if it exits before listening."""
    log = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")[1])
    with log.open("wb") as errors:
        process = subprocess.Popen(
            command,
            env={**os.environ, **UNLIMITED, **env},
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if process.poll() is not None:
                error = log.read_text(errors="replace")
                raise RuntimeError(f"{name} exited at start: {error[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{name} did not start listening on {port}")
        yield Server(name, url, process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.unlink(missing_ok=True)


def uvicorn_command(app: str, port: int, *, factory: bool = False) -> list[str]:
    command = [PYTHON, "-m", "uvicorn", app, "--port", str(port), "--workers", "1"]
    command += ["--log-level", "warning", "--no-access-log"]
    return command + (["--factory"] if factory else [])


def api_server(url: str, port: int, *, workers: int = 1) -> AbstractContextManager[Server]:
    """The API as users run it: `conflict-reports serve`."""
    command = [str(CLI), "serve", "--port", str(port), "--workers", str(workers)]
    return serve("api", [*command, "--no-access-log"], {"DATABASE_URL": url}, port)
