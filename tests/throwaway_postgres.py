"""A PostgreSQL cluster of the test's own on a free port: it can be stopped and started again
without touching the shared server the rest of the suite (and other checkouts) use."""

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from tests.live_http import free_port


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def available() -> bool:
    return _binaries() is not None


class Cluster:
    def __init__(self, directory: Path, port: int):
        self.directory, self.port, self.bin = directory, port, _binaries()

    @property
    def server_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *command, check=True):
        # PostgreSQL refuses to run as root; the cluster then belongs to the postgres account.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], check=check, capture_output=True, text=True, timeout=120)

    def start(self):
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-w", "-t", "60",
                  "-l", str(self.directory / "log"), "-o",
                  f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self, mode="fast"):
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-w", "-m", mode, "stop",
                  check=False)


@contextmanager
def throwaway_cluster():
    directory = Path(tempfile.mkdtemp(prefix="fs-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, free_port())
    cluster._run(str(cluster.bin / "initdb"), "-D", str(directory / "data"), "-U", "postgres", "-A", "trust",
                 "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8")
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
