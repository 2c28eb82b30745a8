"""Scope of rosters objects: every page, export and API endpoint fetches them through here."""
