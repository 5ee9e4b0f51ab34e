"""`parrules serve`: the yearly assessment as a service over the library, with its state in a database.

`app.create_app(settings)` is the FastAPI application; `command` is the `parrules serve` command;
docs/service.md says how to run it (SQLite embedded by default, PostgreSQL by URL), the roles and
phases, and the API. Nothing here is imported by the library: `pip install 'parrules[service]'`
brings what it needs.
"""
