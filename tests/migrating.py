"""Data migrations tested on the schema they run against: migrate back to the
state before one, make rows with that state's models, migrate forward."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to ``targets`` and return that state's apps."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def schema_before(targets):
    """A fixture body: the apps as of ``targets``, then the latest schema again."""
    apps = migrate(targets)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
