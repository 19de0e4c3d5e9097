"""Batch ETL: read → normalise → validate → load. Shared by the CLI, the app and the tests."""
