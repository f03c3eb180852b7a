"""Shared kit: settings, database, errors."""
