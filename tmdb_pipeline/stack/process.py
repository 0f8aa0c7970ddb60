"""A local service run as a detached process with its pid, log and data under `.local/`.

Each service subclass says how to install itself, what command to run and how to tell that it is
healthy; this base owns the rest: port checks, start, wait for health, stop, status.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from tmdb_pipeline.settings import StackSettings


class StackError(Exception):
    """A local service could not be installed, started or reached; the message says what to do."""


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS has just handed out on `host` (for test servers and ad-hoc services)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie still answers kill(0): read its state to be sure
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
        return state != "Z"
    return True


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    running: bool
    healthy: bool
    pid: int | None
    address: str
    detail: str = ""


class LocalService(ABC):
    """One real service on 127.0.0.1, managed through files under `<stack home>/<name>/`."""

    name: str

    def __init__(self, stack: StackSettings) -> None:
        self.stack = stack
        self.root = stack.home / self.name
        self.pid_file = self.root / f"{self.name}.pid"
        self.log_file = self.root / "logs" / f"{self.name}.log"

    # --- what each service defines -------------------------------------------------------
    @property
    @abstractmethod
    def ports(self) -> list[int]: ...

    @property
    @abstractmethod
    def address(self) -> str: ...

    @abstractmethod
    def install(self) -> None:
        """Fetch and build what the service needs (idempotent, cached under `.local/`)."""

    @abstractmethod
    def command(self) -> list[str]: ...

    @abstractmethod
    def healthy(self) -> bool:
        """A real round trip with the service (not just an open port)."""

    def prepare(self) -> None:
        """Set up the data directory before a start (services add their own one-time steps)."""
        self.root.mkdir(parents=True, exist_ok=True)

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    def version(self) -> str:
        return ""

    # --- lifecycle ----------------------------------------------------------------------
    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_alive(pid) else None

    def busy_ports(self) -> list[int]:
        """Ports this service needs that some other program holds."""
        if self.pid() is not None:
            return []
        return [port for port in self.ports if not port_is_free(self.stack.host, port)]

    def start(self) -> None:
        """Start detached and wait until healthy; a no-op when it already runs."""
        if self.pid() is not None:
            if self.wait_healthy(timeout=self.stack.start_timeout_s):
                return
            raise StackError(f"{self.name} runs (pid {self.pid()}) but is not healthy; see {self.log_file}")
        self.install()
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.prepare()
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                self.command(),
                cwd=self.root,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the CLI; stopped by `stack down`
            )
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + self.stack.start_timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise StackError(
                    f"{self.name} exited with code {process.returncode} during start; "
                    f"last lines of {self.log_file}:\n{self.tail_log()}"
                )
            if self.healthy():
                return
            time.sleep(0.5)
        self.stop()
        raise StackError(
            f"{self.name} did not become healthy within {self.stack.start_timeout_s:.0f}s; "
            f"see {self.log_file}:\n{self.tail_log()}"
        )

    def wait_healthy(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if self.healthy():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.5)

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM, then SIGKILL after `timeout`; True when something was stopped."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            while pid_alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> ServiceStatus:
        pid = self.pid()
        healthy = pid is not None and self.healthy()
        detail = self.version() if healthy else ("not running" if pid is None else "not healthy")
        return ServiceStatus(self.name, pid is not None, healthy, pid, self.address, detail)

    def tail_log(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
