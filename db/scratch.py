"""A throw-away PostgreSQL schema: one store per test or benchmark run on a shared server.

The tests and the benchmarks both need a store nobody else writes to, without a server of
their own; a schema on the search path gives exactly that, and dropping it cleans up.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

from db.session import dispose_engines


@contextmanager
def scratch_schema(base: str, prefix: str = "t") -> Iterator[tuple[str, str]]:
    """A new schema on ``base``'s server, dropped on exit: (store URL, schema name).

    The URL keeps its password (the caller hands it to subprocesses); the engines opened on
    it are disposed before the drop, which would otherwise wait on their idle connections.
    """
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = make_url(base).set(drivername="postgresql+psycopg")
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = server.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False), schema
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
