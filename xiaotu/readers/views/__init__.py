"""Reader pages, one module per task: people (lists, records, cards, privacy), roster (imports), year (promotion)."""
