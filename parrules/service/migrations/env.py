"""Alembic's environment: migrations run on the engine the service hands over (`db.migrate`).

There is no alembic.ini: the script location and the engine are set by `db.alembic_config`, so the
same migrations run from `parrules serve`, from each worker's start and from the tests.
"""

from __future__ import annotations

from alembic import context

from parrules.service.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=engine.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
