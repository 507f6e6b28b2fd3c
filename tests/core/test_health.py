"""/healthz: the database, the task cluster's heartbeat, the cache and the task broker.

200 "ok" when all is well, 200 "degraded" while only Redis is away (the site still serves),
503 "unhealthy" when the database is unreachable or tasks stopped running.
"""

import datetime
import os
import time
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_q.conf import Conf

from core.cache_backends import RedisBackoff
from core.models import TaskHeartbeat
from core.tasks import record_heartbeat
from tests.core.redis_helpers import SilentServer, closed_port_url
from website.settings.env import cache_settings

pytestmark = pytest.mark.django_db

# CI runs the suite with and without REDIS_URL: Redis is then either answering or not used.
WORKING_REDIS = (
    {"cache": "ok", "broker": "ok"}
    if os.environ.get("REDIS_URL")
    else {"cache": "local", "broker": "database"}
)


def test_healthy_when_the_cluster_beat_recently(client):
    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert {"cache": body["cache"], "broker": body["broker"]} == WORKING_REDIS
    assert body["tasks"]["status"] == "ok"
    assert 0 <= body["tasks"]["heartbeat_age_seconds"] < 5
    assert "no-cache" in response["Cache-Control"]


def test_unhealthy_before_the_cluster_has_ever_run(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["tasks"]["status"] == "no heartbeat yet"


def test_unhealthy_when_the_heartbeat_is_stale(client, settings):
    settings.HEALTHZ_MAX_HEARTBEAT_AGE = 300
    TaskHeartbeat.objects.create(
        cluster=settings.Q_CLUSTER["name"], beat_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["tasks"]["status"] == "stale"
    assert body["tasks"]["heartbeat_age_seconds"] >= 600


def test_unhealthy_when_the_database_is_unreachable(client):
    with mock.patch("core.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unhealthy",
        "database": "unavailable",
        **WORKING_REDIS,
        "tasks": {"heartbeat_age_seconds": None, "status": "unknown"},
    }


@pytest.fixture
def redis_away(settings, monkeypatch):
    """REDIS_URL, with a password, at a port where nothing listens."""
    url = closed_port_url(password="s3cret-pa55")
    monkeypatch.setattr(RedisBackoff, "_by_server", {})
    settings.CACHES = cache_settings(url)
    monkeypatch.setattr(Conf, "REDIS", url)
    monkeypatch.setattr(Conf, "BROKER_CLASS", "core.brokers.RedisBroker")
    return url


def test_degraded_but_serving_while_redis_is_away(client, redis_away):
    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
        "broker": "unavailable",
        "tasks": {"heartbeat_age_seconds": mock.ANY, "status": "ok"},
    }
    assert "s3cret" not in response.content.decode()
    assert "redis://" not in response.content.decode()


def test_unhealthy_when_the_database_is_unreachable_whatever_redis_does(client, redis_away):
    with mock.patch("core.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["cache"] == "unavailable"


def test_unhealthy_when_tasks_stopped_even_if_only_redis_is_away(client, redis_away):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


def test_a_hung_redis_is_asked_once_per_back_off_not_once_per_poll(client, settings, monkeypatch):
    silent = SilentServer()
    monkeypatch.setattr(RedisBackoff, "_by_server", {})
    settings.CACHES = cache_settings(silent.url)
    monkeypatch.setattr(Conf, "REDIS", silent.url)
    monkeypatch.setattr(Conf, "BROKER_CLASS", "core.brokers.RedisBroker")
    record_heartbeat()
    try:
        started = time.monotonic()
        for _ in range(20):
            assert client.get("/healthz").json()["status"] == "degraded"
        assert time.monotonic() - started < RedisBackoff.seconds
        assert len(silent.connections) == 1, "the cache and the broker share one back-off"
    finally:
        silent.close()


def test_heartbeat_keeps_one_row_per_cluster():
    record_heartbeat()
    record_heartbeat()
    assert TaskHeartbeat.objects.count() == 1


def test_health_takes_only_get(client):
    assert client.post("/healthz").status_code == 405
