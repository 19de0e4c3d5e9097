"""The store: models, engine/session, catalog seeding and read queries. Never imports streamlit."""
