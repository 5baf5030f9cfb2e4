"""The one seam through which hpcsim runs short external commands and waits for them."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hpcsim.errors import CommandError, SubmitError

__all__ = ["Completed", "run", "spawn"]


@dataclass(frozen=True)
class Completed:
    """What a finished command left behind."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    argv: Sequence[str],
    timeout: float,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> Completed:
    """Run ``argv`` (never through a shell) and return its output.

    Raises :class:`CommandError` when the command is missing, times out, or (with ``check``)
    exits non-zero; the error carries argv, exit code and both streams.
    """
    args = tuple(argv)
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except FileNotFoundError as exc:
        raise CommandError(f"command not found: {args[0]}", argv=args) from exc
    except OSError as exc:  # not executable, a directory, ...
        raise CommandError(f"cannot run {args[0]}: {exc.strerror}", argv=args) from exc
    except subprocess.TimeoutExpired as exc:
        raise CommandError(
            f"command timed out after {timeout:g} s: {' '.join(args)}", argv=args, transient=True
        ) from exc
    done = Completed(args, proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        raise CommandError(
            f"{args[0]} exited with {proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()}",
            argv=args,
            returncode=proc.returncode,
            stdout=proc.stdout,
            stderr=proc.stderr,
        )
    return done


def spawn(argv: Sequence[str], cwd: str) -> subprocess.Popen[bytes]:
    """Start ``argv`` in its own session with no inherited stdio.

    The new session keeps a Ctrl-C in the driver's terminal from reaching the job, lets the
    job outlive the driver, and makes its whole process group cancellable at once.
    """
    try:
        return subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:  # a local job that cannot start is a refused submission
        raise SubmitError(f"cannot start {argv[0]}: {exc}", argv=argv) from exc
