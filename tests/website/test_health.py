"""/healthz: the database and the task cluster's heartbeat, 200 when healthy, 503 otherwise."""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from website.models import TaskHeartbeat
from website.tasks import record_heartbeat

pytestmark = pytest.mark.django_db


def test_healthy_when_the_cluster_beat_recently(client):
    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
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
    with mock.patch("website.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unhealthy",
        "database": "unavailable",
        "tasks": {"heartbeat_age_seconds": None, "status": "unknown"},
    }


def test_heartbeat_keeps_one_row_per_cluster():
    record_heartbeat()
    record_heartbeat()
    assert TaskHeartbeat.objects.count() == 1


def test_health_takes_only_get(client):
    assert client.post("/healthz").status_code == 405
