"""One streaming job per checkpoint: a second job on the same checkpoint would interleave its batch
commits with the first's. The lock is an exclusive `flock` on a file beside the checkpoint, released
by the kernel when the job's process ends, however it ends (a SIGKILL leaves no stale lock)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse


class CheckpointInUse(RuntimeError):
    """Another running process holds the checkpoint."""


def local_path(checkpoint: str) -> Path | None:
    """The checkpoint's folder on this machine, or None for a remote file system (s3a://, hdfs://)."""
    parsed = urlparse(checkpoint)
    if parsed.scheme in ("", "file"):
        return Path(unquote(parsed.path))
    return None


@contextlib.contextmanager
def checkpoint_lock(checkpoint: str, job: str, free_it: str) -> Iterator[None]:
    """Hold `<checkpoint>.lock` while the job runs; raise CheckpointInUse, naming the holder's pid and
    `free_it` (what the user can do), when another process holds it. Remote checkpoints are not locked."""
    folder = local_path(checkpoint.rstrip("/"))
    if folder is None:
        yield
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock_file = folder.parent / f"{folder.name}.lock"
    with lock_file.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise CheckpointInUse(
                f"Another {job} job (pid {holder}) is running on the checkpoint {folder}; two jobs on one "
                f"checkpoint would interleave their batches. {free_it}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
