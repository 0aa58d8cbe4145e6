"""The reference central server: source of truth, city CA and public verification page."""
