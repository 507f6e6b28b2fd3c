"""core.tasks.enqueue: a task is queued when its transaction commits, never after a rollback."""

import pytest
from django.core import mail
from django.db import transaction

from core.emails import queue_email
from core.tasks import enqueue


class Undone(Exception):
    """Raised inside a block to make it roll back."""


@pytest.fixture
def queued(monkeypatch):
    """What reached django-q2, in order: (function path, args, options)."""
    calls = []
    monkeypatch.setattr(
        "core.tasks.async_task",
        lambda func, *args, **options: calls.append((func, args, options)),
    )
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_a_transaction_that_rolls_back_is_never_queued(queued):
    with pytest.raises(Undone), transaction.atomic():
        enqueue("prayer.tasks.anything", 7, task_name="rolled-back")
        raise Undone
    assert queued == []


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_a_transaction_is_queued_after_the_commit(queued):
    with transaction.atomic():
        enqueue("prayer.tasks.anything", 7, task_name="committed", save=False)
        with transaction.atomic():
            enqueue("prayer.tasks.inner", task_name="inner savepoint")
        assert queued == [], "nothing reaches the cluster before the commit"
    assert queued == [
        ("prayer.tasks.anything", (7,), {"task_name": "committed", "save": False}),
        ("prayer.tasks.inner", (), {"task_name": "inner savepoint"}),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_drops_its_task_and_keeps_the_others(queued):
    with transaction.atomic():
        enqueue("prayer.tasks.kept", task_name="kept")
        with pytest.raises(Undone), transaction.atomic():
            enqueue("prayer.tasks.undone", task_name="undone")
            raise Undone
    assert [func for func, _, _ in queued] == ["prayer.tasks.kept"]


@pytest.mark.django_db(transaction=True)
def test_with_no_transaction_open_a_task_is_queued_at_once(queued):
    enqueue("prayer.tasks.anything", task_name="autocommit")
    assert len(queued) == 1


@pytest.mark.on_commit_held
@pytest.mark.django_db
def test_the_task_waits_for_the_commit_callback(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        enqueue("prayer.tasks.anything", task_name="held")
    assert len(callbacks) == 1 and queued == []
    callbacks[0]()
    assert [options["task_name"] for _, _, options in queued] == ["held"]


@pytest.mark.on_commit_held
@pytest.mark.django_db
def test_an_email_queued_in_a_transaction_is_sent_once_it_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queue_email("test-email", "ana@example.org", {})
        assert mail.outbox == []
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]


@pytest.mark.on_commit_held
@pytest.mark.django_db
def test_an_email_queued_in_a_transaction_that_rolls_back_is_never_sent(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Undone),
        transaction.atomic(),
    ):
        queue_email("test-email", "ana@example.org", {})
        raise Undone
    assert mail.outbox == []


@pytest.mark.django_db
def test_inside_a_test_transaction_tasks_follow_the_applications_commits(queued):
    """tests/app_commits.py: what every other test relies on to see its mail."""
    with pytest.raises(Undone), transaction.atomic():
        enqueue("prayer.tasks.undone", task_name="undone")
        raise Undone
    with transaction.atomic():
        enqueue("prayer.tasks.kept", task_name="kept")
        assert queued == []
    assert [func for func, _, _ in queued] == ["prayer.tasks.kept"]
