"""SQLite as xiaotu's embedded database: Django's backend, with writers queued in Python (see base.py)."""
