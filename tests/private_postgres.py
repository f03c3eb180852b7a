"""A PostgreSQL server of a test's own (its own data directory and port, never the shared
server), driven by initdb and pg_ctl as the PostgreSQL account when the tests run as root."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian keeps them out of PATH)."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if found and (found[-1] / "initdb").exists():
        return found[-1]
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PrivateServer:
    """A PostgreSQL server of the test's own, driven by pg_ctl."""

    bin: Path
    data: Path
    port: int
    user: str | None  # run as this user when the test runs as root (initdb refuses root)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin / program), *arguments]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self, *settings: str) -> None:
        """Start it; `settings` are more `-c name=value` options."""
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += "".join(f" -c {setting}" for setting in settings)
        log = str(self.data.parent / f"{self.data.name}.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def base_backup_to(self, data: Path) -> None:
        """A streaming replica's data directory, from this server (`pg_basebackup -R`)."""
        self._run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
            *("-D", str(data), "-R", "-X", "stream", "--checkpoint=fast"),
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


def _account() -> tuple[str | None, Path]:
    """Who runs the servers, and a folder of theirs for the data directories."""
    root = Path(tempfile.mkdtemp(prefix="cr-postgres-"))
    if os.geteuid() != 0:
        return None, root
    if shutil.which("runuser") is None:
        pytest.skip("running as root, and without runuser initdb cannot run")
    account = pwd.getpwnam("postgres")
    os.chown(root, account.pw_uid, account.pw_gid)
    return "postgres", root


def postgres_programs() -> Path:
    programs = postgres_bin()
    if programs is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have PostgreSQL's initdb and pg_ctl installed")
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    return programs


@contextmanager
def private_servers(count: int = 1) -> Iterator[tuple[Path, str | None, list[int]]]:
    """A folder for `count` servers, the account to run them as, and a free port each; every
    server started under the folder is stopped at the end and the folder removed."""
    programs = postgres_programs()
    user, root = _account()
    ports = [free_port() for _ in range(count)]
    try:
        yield root, user, ports
    finally:
        for data in root.glob("*/PG_VERSION"):
            server = PrivateServer(bin=programs, data=data.parent, port=0, user=user)
            try:
                server.stop("immediate")
            except subprocess.CalledProcessError:
                pass  # already stopped
        shutil.rmtree(root, ignore_errors=True)
