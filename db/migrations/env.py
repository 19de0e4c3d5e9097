"""Alembic environment: runs on the connection handed over by ``db.session.upgrade_database``."""

from alembic import context

from db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # plain `alembic` command line: build an engine from the URL
    from db.session import create_engine_for

    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("alembic: set sqlalchemy.url (or use `python -m etl` / the app)")
    connection = create_engine_for(url).connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
