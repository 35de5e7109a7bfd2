"""A throwaway PostgreSQL cluster for the tests: its own folder, a free port, gone at the end.

The binaries are the machine's (`pg_config --bindir`). PostgreSQL refuses to run as root,
so as root every server command runs as the `postgres` user (`runuser`), in a folder that
user owns. Durability is switched off: the cluster lives for one test session.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

START_TIMEOUT = 60  # seconds; a guard against a hang, not a timing assertion
_FAST = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)


class PostgresStartError(Exception):
    """PostgreSQL cannot be started here (no binaries, or the server would not start)."""


class PostgresCluster:
    """One running PostgreSQL server with trust authentication on 127.0.0.1."""

    def __init__(self, bindir: Path, folder: Path, port: int, user: str | None) -> None:
        self.bindir = bindir
        self.folder = folder
        self.port = port
        self.user = user  # the OS user running the server; None for the current one
        self._names = itertools.count(1)

    @classmethod
    def create(cls) -> PostgresCluster:
        """Initialise a new cluster in a temporary folder and start it."""
        bindir = _bindir()
        user = _server_user()
        folder = Path(tempfile.mkdtemp(prefix="townhall-pg-"))
        if user is not None:
            shutil.chown(folder, user)
        cluster = cls(bindir, folder, _free_port(), user)
        try:
            cluster._run(
                "initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                "--no-sync", "--encoding=UTF8", "--locale=C",
            )  # fmt: skip
            cluster.start()
        except PostgresStartError:
            cluster.destroy()
            raise
        return cluster

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} {_FAST}"
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "server.log"),
            "-o", options, "-w", "-t", str(START_TIMEOUT), "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server at once (clients are disconnected)."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        """Stop the server if it runs and delete its folder."""
        if (self.folder / "data" / "postmaster.pid").exists():
            # Already stopped or never started: the folder goes either way.
            with contextlib.suppress(PostgresStartError):
                self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", schema: str | None = None) -> str:
        """The URL of `database` (and of `schema` in it), as TOWNHALL_DB takes it."""
        url = f"postgresql://postgres@127.0.0.1:{self.port}/{database}"
        return url if schema is None else f"{url}?options=-csearch_path%3D{schema}"

    def create_schema(self, database: str) -> str:
        """A new empty schema in `database`: far cheaper than a new database; its name."""
        name = f"s{next(self._names)}_{uuid.uuid4().hex[:8]}"
        self.admin(f'CREATE SCHEMA "{name}"', database)
        return name

    def drop_schema(self, database: str, name: str) -> None:
        """Drop the schema `name` of `database` with everything in it."""
        self.admin(f'DROP SCHEMA IF EXISTS "{name}" CASCADE', database)

    def create_database(self) -> str:
        """A new empty database; its name."""
        name = f"t{next(self._names)}_{uuid.uuid4().hex[:8]}"
        self.admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop `name`, disconnecting anyone still on it."""
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def add_password_role(self, name: str, password: str) -> None:
        """A login role that must give `password` (SCRAM) over TCP; everyone else stays trusted."""
        self.admin(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        hba = self.folder / "data" / "pg_hba.conf"
        # The first matching line decides, so the role's line goes before the trust lines.
        rule = f"host all {name} 127.0.0.1/32 scram-sha-256\n"
        hba.write_text(rule + hba.read_text(encoding="utf-8"), encoding="utf-8")
        self._run("pg_ctl", "-D", str(self.folder / "data"), "reload")
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:  # a reload is signalled, not awaited
            try:
                psycopg.connect(f"postgresql://{name}@127.0.0.1:{self.port}/postgres").close()
            except psycopg.OperationalError:
                return
            time.sleep(0.05)
        raise PostgresStartError("pg_hba.conf reload not seen")

    def admin(self, sql: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction, as the superuser."""
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(sql.encode())

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=START_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PostgresStartError(f"{program}: {error}") from error
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresStartError(f"{program} failed: {done.stderr.strip()} {tail}".strip())


def _bindir() -> Path:
    """The folder of initdb and pg_ctl: `pg_config --bindir`, else Debian's usual place."""
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresStartError("no initdb found (pg_config --bindir, /usr/lib/postgresql/*/bin)")


def _server_user() -> str | None:
    """Who runs the server: None for us, or `postgres` when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return None
    if shutil.which("runuser") is None:
        raise PostgresStartError("running as root and runuser is missing")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError as error:
        raise PostgresStartError("running as root and there is no postgres user") from error
    return "postgres"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
