"""The API's routes, one module per resource; `app.create_app` includes them all under /api/v1."""
