"""The task broker: django-q2's Redis queue, with the database as its fallback.

django-q2's Redis broker raises when Redis is away, so every form that queued an email
answered 500 and the email was lost. This broker pushes to Redis as before; when Redis fails
or is in its back-off (core.cache_backends.RedisBackoff), it stores the task in django-q2's
own database queue (`OrmQ`, under the key django-q2's ORM broker would use) instead. The
cluster takes tasks from that table first and from Redis after, so a task queued during an
outage runs as soon as a worker is free, whether or not Redis is back, and the cluster keeps
running while Redis is down (its schedules then queue into the table too).

A task from the table is locked for `retry` seconds while it runs and deleted once it
succeeds, as with django-q2's ORM broker: at least once, like every Vigil task. (A push whose
answer timed out may have reached Redis as well; that task then runs twice, which an
idempotent task allows.)
"""

import datetime
import time
from functools import cache

import redis
from django.db import router
from django.utils import timezone
from django_q.brokers import orm, redis_broker
from django_q.conf import Conf
from django_q.models import OrmQ

from core.cache_backends import REDIS_TIMEOUTS, RedisBackoff

# The pusher's BLPOP waits up to a second for a task; its socket must wait longer.
BLOCKING_POP_SECONDS = 1
CONSEQUENCE = "tasks are queued in the database and run from there"


@cache
def shared_client(url, blocking=False):
    """One client (and connection pool) per process, instead of one per `get_broker()`."""
    options = dict(REDIS_TIMEOUTS)
    if blocking:
        options["socket_timeout"] = BLOCKING_POP_SECONDS + 1
    return redis.Redis.from_url(url, **options)


class RedisBroker(redis_broker.Redis):
    def __init__(self, list_key=None):
        list_key = list_key or Conf.CLUSTER_NAME
        # The ORM broker's key: were REDIS_URL removed, django-q2 would still run these.
        self.database_key = list_key
        super().__init__(list_key=list_key)

    def __getstate__(self):
        return self.database_key, super().__getstate__()

    def __setstate__(self, state):
        self.database_key, parent_state = state
        super().__setstate__(parent_state)

    @property
    def backoff(self):
        return RedisBackoff.for_server(Conf.REDIS)

    @staticmethod
    def get_connection(list_key=None):
        return shared_client(Conf.REDIS)

    def _redis(self, operation, fallback):
        """`operation()`, or `fallback()` when Redis fails or is in its back-off."""
        if self.backoff.allows():
            try:
                result = operation()
            except redis.RedisError as error:
                self.backoff.failed(error, "task broker", CONSEQUENCE)
            else:
                self.backoff.succeeded()
                return result
        return fallback()

    @staticmethod
    def _table():
        return OrmQ.objects.using(router.db_for_write(OrmQ))

    def enqueue(self, task):
        return self._redis(
            lambda: self.connection.rpush(self.list_key, task),
            lambda: (
                self._table().create(key=self.database_key, payload=task, lock=timezone.now()).pk
            ),
        )

    def dequeue(self):
        return self._dequeue_from_database() or self._redis(self._blocking_pop, self._idle)

    def _dequeue_from_database(self):
        # django-q2's ORM broker closes stale connections before it polls (the pusher is a
        # long-lived process) unless it is inside a transaction; so do we.
        table = orm.ORM.get_connection()
        now = timezone.now()
        claimed = []
        for row in table.filter(key=self.database_key, lock__lt=now).order_by("pk")[: Conf.BULK]:
            locked_until = now + datetime.timedelta(seconds=Conf.RETRY)
            # A conditional update: another cluster that claimed the row first wins.
            if table.filter(pk=row.pk, lock=row.lock).update(lock=locked_until):
                claimed.append((row.pk, row.payload))
        return claimed

    def _blocking_pop(self):
        task = shared_client(Conf.REDIS, blocking=True).blpop(self.list_key, BLOCKING_POP_SECONDS)
        if task:
            return [(None, task[1])]
        return None

    def _idle(self):
        # While Redis is skipped, look at the table as often as BLPOP would have.
        time.sleep(BLOCKING_POP_SECONDS)

    def acknowledge(self, task_id):
        # Tasks from Redis carry no id (BLPOP already removed them); tasks from the table do.
        if task_id:
            self._table().filter(pk=task_id).delete()

    def fail(self, task_id):
        self.acknowledge(task_id)

    def delete(self, task_id):
        self.acknowledge(task_id)

    def queue_size(self):
        waiting = self._table().filter(key=self.database_key, lock__lte=timezone.now()).count()
        return waiting + self._redis(lambda: self.connection.llen(self.list_key), lambda: 0)

    def lock_size(self):
        return self._table().filter(key=self.database_key, lock__gt=timezone.now()).count()

    def purge_queue(self):
        self._table().filter(key=self.database_key).delete()
        return self._redis(lambda: self.connection.ltrim(self.list_key, 1, 0), lambda: None)

    def delete_queue(self):
        self._table().filter(key=self.database_key).delete()
        return self._redis(lambda: self.connection.delete(self.list_key), lambda: 0)

    def ping(self):
        """False while Redis is away; the cluster starts anyway and serves the table."""
        return self._redis(self.connection.ping, lambda: False)

    def info(self):
        return self._redis(super().info, lambda: "Redis (away), database queue")

    def set_stat(self, key, value, timeout):
        self._redis(lambda: super(RedisBroker, self).set_stat(key, value, timeout), lambda: None)

    def get_stat(self, key):
        return self._redis(lambda: super(RedisBroker, self).get_stat(key), lambda: None)

    def get_stats(self, pattern):
        return self._redis(lambda: super(RedisBroker, self).get_stats(pattern), lambda: None)


def broker_health():
    """For /healthz: "ok", "unavailable" (tasks wait in the database until Redis is back or a
    worker takes them), or "database" (no Redis: django-q2's ORM broker)."""
    ours = f"{__name__}.{RedisBroker.__name__}"
    if ours != Conf.BROKER_CLASS:
        return "database"
    return "ok" if RedisBroker().ping() else "unavailable"
