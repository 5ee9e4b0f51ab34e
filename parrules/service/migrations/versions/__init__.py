"""One module per schema revision; `db.migrate` applies them in order."""
