"""``python -m etl`` run inside the pytest worker, for the tests that are not about the process.

A real ``python -m etl`` costs ~2 s of CPU, nearly all of it imports that the worker has
already paid for; hundreds of calls were most of the suite's time. This runs the same
``etl.cli.main`` (so the same exit codes and messages) under click's ``CliRunner`` isolation
and gives back what ``subprocess.run`` would: ``returncode``, ``stdout`` and ``stderr``.

What a fresh process would not share with the worker is kept apart for the call and put
back after it: ``TQI_*`` variables (only ``env`` is seen, as ``conftest.app_env`` does),
the engine caches in ``db.session`` (a call makes, migrates and disposes of its own),
``sys.argv`` and the working directory (the project root, like the subprocess's ``cwd``).
A crash is what Python would print: the traceback on stderr, exit code 1.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner

from db import session as db_session

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def own_engines() -> Iterator[None]:
    """A fresh engine cache for the call, disposed after it, the worker's put back."""
    saved = (db_session._engines, db_session._initialised, db_session._read_engines)
    db_session._engines, db_session._initialised, db_session._read_engines = {}, set(), {}
    try:
        yield
    finally:
        for engine in [*db_session._engines.values(), *db_session._read_engines.values()]:
            engine.dispose()
        db_session._engines, db_session._initialised, db_session._read_engines = saved


@contextlib.contextmanager
def project_cwd() -> Iterator[None]:
    before, argv = os.getcwd(), sys.argv
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)
        sys.argv = argv


def as_text(data: bytes) -> str:
    """Bytes as ``subprocess.run(text=True)`` decodes them (universal newlines)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()


def run_cli(
    args: list[str], *, stdin: bytes | None, env: dict[str, str], decode: bool
) -> subprocess.CompletedProcess:
    """``python -m etl ARGS`` in this process; ``env`` replaces every outside ``TQI_*``."""
    from etl.cli import main

    settings: dict[str, str | None] = {k: None for k in os.environ if k.startswith("TQI_")}
    settings.update(env)
    with (
        project_cwd(),
        own_engines(),
        CliRunner().isolation(input=stdin, env=settings) as (out, err, _both),
    ):
        sys.argv = ["python -m etl", *args]
        try:
            code = main()
        except Exception:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    if decode:
        return subprocess.CompletedProcess(args, code, as_text(stdout), as_text(stderr))
    return subprocess.CompletedProcess(args, code, stdout, stderr)
