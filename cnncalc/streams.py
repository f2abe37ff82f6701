"""Standard output and error that outlive their reader (a pipe into ``head``, a full disk, a
closed stream, an ASCII-only terminal), so that the exit code always tells the verdict."""

from __future__ import annotations

import contextlib
import errno
import io
import os
from typing import TextIO


class GuardedOutput(io.TextIOBase):
    """Standard output or error that outlives its reader. When the pipe closes (``| head``) or
    the stream fails (``>/dev/full``), writing stops quietly and the command runs on to its
    verdict, so the exit code still says whether the spec is sound: a broken pipe never reads as
    a spec error. A failure other than a closed pipe is reported once the command is done
    (:data:`EXIT_OUTPUT`)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.failure: OSError | None = None

    def _divert(self, exc: OSError) -> None:
        if exc.errno != errno.EPIPE:
            self.failure = self.failure or exc
        # the file descriptor too, so that the interpreter's last flush finds nowhere to fail
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
        self.stream = _sink()

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            self._divert(exc)
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            self._divert(exc)

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding


def _sink() -> TextIO:
    """Where output goes once its stream is gone: kept open for the rest of the process."""
    return open(os.devnull, "w", encoding="utf-8")


#: Exit code when the output could not be written (a full disk, a closed stream).
EXIT_OUTPUT = 3


def guard(stream: TextIO | None) -> GuardedOutput:
    """``stream`` guarded; a closed one (``>&-``) becomes a sink. Characters the stream's encoding
    cannot hold (``PYTHONIOENCODING=ascii``) are written as backslash escapes, not refused."""
    if stream is None:
        stream = _sink()
    elif isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors="backslashreplace")
    return GuardedOutput(stream)
