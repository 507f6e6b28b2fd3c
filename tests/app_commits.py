"""Commits as the application sees them, inside a test transaction that never commits.

pytest-django's `django_db` wraps each test in a transaction that is rolled back at the end,
so `transaction.on_commit` callbacks (core.tasks.enqueue: every task and email) would never
run. `app_commits` runs them where a real database would: when the application's outermost
atomic block ends without an error, and at once when the application has no block open.
Callbacks of a block that rolled back are gone already (Django drops them with the
savepoint), so a test still sees no email for work that was undone.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import Atomic

logger = logging.getLogger(__name__)


def _only_test_blocks(connection: BaseDatabaseWrapper) -> bool:
    """Inside the test's own transaction, with no block of the application open."""
    return connection.in_atomic_block and all(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _run(func: Any, robust: bool) -> None:
    if not robust:
        func()
        return
    try:
        func()
    except Exception:
        logger.exception("on_commit callback failed")


@contextmanager
def app_commits() -> Iterator[None]:
    original_on_commit = BaseDatabaseWrapper.on_commit
    original_exit = Atomic.__exit__

    def on_commit(connection, func, robust=False):
        if _only_test_blocks(connection):
            _run(func, robust)  # autocommit, as far as the application can tell
        else:
            original_on_commit(connection, func, robust)

    def exit_and_commit(block, exc_type, exc_value, traceback):
        result = original_exit(block, exc_type, exc_value, traceback)
        connection = transaction.get_connection(block.using)
        if not getattr(block, "_from_testcase", False) and _only_test_blocks(connection):
            # The application's outermost block ended: a real database commits here, or
            # rolls back (and forgets the callbacks) if the block failed.
            pending, connection.run_on_commit = connection.run_on_commit, []
            if exc_type is None and not connection.needs_rollback:
                for _, func, robust in pending:
                    _run(func, robust)
        return result

    with (
        mock.patch.object(BaseDatabaseWrapper, "on_commit", on_commit),
        mock.patch.object(Atomic, "__exit__", exit_and_commit),
    ):
        yield
