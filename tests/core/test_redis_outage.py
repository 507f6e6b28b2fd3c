"""A Redis outage degrades the site; it does not take it down.

With REDIS_URL at a closed port, and with a redis-server of the test's own that goes away in
the middle of a visit: the public pages, the public forms, sign-in and /healthz answer
without a 500; sessions keep working from the database; rate limits fail open with one log
line; emails queued meanwhile wait in the database and are sent once, by the cluster's own
loop, whether Redis has come back or not.
"""

import logging
import time
from multiprocessing import Event, Value

import pytest
from django.core import mail
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.monitor import monitor
from django_q.pusher import pusher
from django_q.queues import Queue
from django_q.worker import worker

from campaigns.models import ChurchRegistration
from core.brokers import RedisBroker
from core.cache_backends import RedisBackoff
from core.emails import queue_email
from core.ratelimit import allow
from core.tasks import record_heartbeat
from digests.models import Subscription
from prayer.models import PrayerRequest
from tests.campaigns.conftest import register_url
from tests.core.redis_helpers import KillableRedis, closed_port_url, needs_redis_server
from tests.digests.subscription_helpers import signup_data
from tests.factories import (
    PASSWORD,
    UserFactory,
    add_opportunity,
    add_shift,
    add_story,
    add_vigil,
    guarded,
    open_campaign,
    registration_form_data,
)
from tests.prayer.request_helpers import make_wall
from tests.volunteers.helpers import form_data as volunteer_form_data
from volunteers.models import SignUp
from website.settings.env import cache_settings, q_cluster_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_backoff(monkeypatch):
    monkeypatch.setattr(RedisBackoff, "_by_server", {})
    monkeypatch.setattr(RedisBackoff, "seconds", 0.3)


def use_redis(url, settings, monkeypatch):
    """Production's settings for REDIS_URL=`url`: the cache (sessions and rate limits go
    through it) and the task broker, with tasks queued rather than run inline."""
    settings.CACHES = cache_settings(url)
    cluster = q_cluster_settings(url, settings.DATABASES["default"]["ENGINE"])
    monkeypatch.setattr(Conf, "REDIS", cluster["redis"])
    monkeypatch.setattr(Conf, "BROKER_CLASS", cluster["broker_class"])
    monkeypatch.setattr(Conf, "SYNC", False)


@pytest.fixture
def redis_down(settings, monkeypatch):
    use_redis(closed_port_url(), settings, monkeypatch)
    yield


@pytest.fixture
def killable(tmp_path, settings, monkeypatch):
    server = KillableRedis(tmp_path)
    server.start()
    use_redis(server.url(), settings, monkeypatch)
    yield server
    if server.process:
        server.kill()


@pytest.fixture
def public_site(site_pages):
    home, news = site_pages
    opportunity = add_opportunity(home)
    campaign = open_campaign(home)
    return {
        "home": home.url,
        "story": add_story(news).url,
        "prayer wall": make_wall(home).url,
        "vigil": add_vigil(home).url,
        "volunteer": opportunity.url,
        "campaign": campaign.url,
        "shift": add_shift(opportunity),
        "campaign page": campaign,
    }


def run_queued_tasks(monkeypatch):
    """What the cluster does, with django-q2's own pusher, worker and monitor: take every
    queued task, run it, record the result and acknowledge it."""
    broker = get_broker()
    # The cluster's processes close old database connections; the test's must stay open.
    monkeypatch.setattr(Conf, "SYNC", True)
    tasks, results = Queue(), Queue()
    once = Event()
    once.set()
    while broker.queue_size():
        pusher(tasks, once, broker=broker)
    tasks.put("STOP")
    worker(tasks, results, Value("f", -1))
    results.put("STOP")
    monitor(results, broker=broker)
    monkeypatch.setattr(Conf, "SYNC", False)


def post_every_public_form(client, site, django_capture_on_commit_callbacks):
    campaign, shift = site["campaign page"], site["shift"]
    answers = {
        "prayer subscribe": client.post("/pray/subscribe/", signup_data(email="ruth@example.org")),
        "prayer request": client.post(
            "/pray/request/",
            guarded(
                text="Please pray for my friend who is looking for safe work.",
                consent_to_publish="on",
            ),
        ),
        "church registration": client.post(
            register_url(campaign),
            guarded(registration_form_data(email="sarah@example.org")),
        ),
    }
    with django_capture_on_commit_callbacks(execute=True):
        answers["volunteer sign-up"] = client.post(
            f"/volunteer/shifts/{shift.pk}/sign-up/", volunteer_form_data(email="priya@example.org")
        )
    return answers


def sign_in(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def signed_in(client):
    return client.get("/account/").status_code == 200


def test_public_pages_answer_while_redis_is_down(client, public_site, redis_down):
    for name in ("home", "story", "prayer wall", "vigil", "volunteer", "campaign"):
        response = client.get(public_site[name])
        assert response.status_code == 200, name
    for path in ("/search/?q=freedom", "/sitemap.xml", "/feeds/stories/", "/robots.txt"):
        assert client.get(path).status_code == 200, path


def test_public_forms_work_and_their_emails_are_not_lost(
    client, public_site, redis_down, django_capture_on_commit_callbacks, monkeypatch
):
    answers = post_every_public_form(client, public_site, django_capture_on_commit_callbacks)
    for name, response in answers.items():
        assert response.status_code == 302, (name, response.status_code)
    assert Subscription.objects.filter(email="ruth@example.org").exists()
    assert PrayerRequest.objects.exists()
    assert ChurchRegistration.objects.exists()
    assert SignUp.objects.exists()
    assert OrmQ.objects.exists(), "the emails wait in the database"
    assert mail.outbox == []

    run_queued_tasks(monkeypatch)
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"ruth@example.org", "sarah@example.org", "priya@example.org"} <= recipients
    assert not OrmQ.objects.exists()


def test_signed_in_people_stay_signed_in_and_others_can_sign_in(
    client, settings, monkeypatch, site_pages
):
    ruth, asha = UserFactory(), UserFactory()
    client.force_login(ruth)
    use_redis(closed_port_url(), settings, monkeypatch)
    assert signed_in(client), "the session is read from the database"

    other = type(client)()
    response = sign_in(other, asha)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert signed_in(other)
    assert asha.email in other.get("/account/").content.decode()


def test_rate_limits_fail_open_with_a_log_line(client, site_pages, redis_down, caplog, monkeypatch):
    monkeypatch.setattr(RedisBackoff, "seconds", 60)
    user = UserFactory()
    with caplog.at_level(logging.WARNING):
        assert all(allow("prayer-request", "203.0.113.9", 1, 60) for _ in range(20))
        for _ in range(12):
            assert (
                client.post(
                    "/accounts/login/", {"login": user.email, "password": "wrong"}
                ).status_code
                == 200
            )
        assert sign_in(client, user).status_code == 302, "nobody is locked out"
    lines = [record.getMessage() for record in caplog.records if "Redis" in record.getMessage()]
    assert sum("rate limits are not enforced" in line for line in lines) == 1
    assert all(user.email not in line and "203.0.113.9" not in line for line in lines)


def test_health_says_degraded_not_down(client, redis_down):
    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok" and body["tasks"]["status"] == "ok"
    assert body["cache"] == "unavailable" and body["broker"] == "unavailable"
    assert "redis://" not in response.content.decode()


def test_tasks_queued_during_the_outage_run_while_it_lasts(redis_down, monkeypatch):
    queue_email("account-deleted", "ruth@example.org", {})
    assert OrmQ.objects.count() == 1
    run_queued_tasks(monkeypatch)
    assert [message.to for message in mail.outbox] == [["ruth@example.org"]]
    assert not OrmQ.objects.exists()


@needs_redis_server
def test_a_task_queued_while_redis_is_down_runs_once_redis_is_back(killable, monkeypatch):
    killable.kill()
    queue_email("account-deleted", "during@example.org", {})
    assert OrmQ.objects.count() == 1

    killable.start()
    time.sleep(RedisBackoff.seconds)
    queue_email("account-deleted", "after@example.org", {})
    assert OrmQ.objects.count() == 1, "with Redis back, tasks go to Redis again"
    assert isinstance(get_broker(), RedisBroker) and get_broker().queue_size() == 2

    run_queued_tasks(monkeypatch)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "after@example.org",
        "during@example.org",
    ]
    assert not OrmQ.objects.exists() and get_broker().queue_size() == 0
    run_queued_tasks(monkeypatch)
    assert len(mail.outbox) == 2, "each ran once"


@needs_redis_server
def test_redis_going_away_in_the_middle_of_a_visit(
    client, public_site, killable, django_capture_on_commit_callbacks, monkeypatch
):
    user = UserFactory()
    assert sign_in(client, user).status_code == 302
    assert signed_in(client) and client.get(public_site["home"]).status_code == 200
    session_cookie = client.cookies["sessionid"].value

    killable.kill()
    for name in ("home", "story", "prayer wall", "vigil", "volunteer", "campaign"):
        assert client.get(public_site[name]).status_code == 200, name
    assert signed_in(client), "the session is read from the database"
    assert client.post("/accounts/logout/").status_code == 302
    answers = post_every_public_form(client, public_site, django_capture_on_commit_callbacks)
    assert {response.status_code for response in answers.values()} == {302}
    record_heartbeat()
    assert client.get("/healthz").json()["status"] == "degraded"

    killable.start()
    time.sleep(RedisBackoff.seconds)
    # The signed-out session was still in Redis: it must not come back with it.
    replayed = type(client)()
    replayed.cookies["sessionid"] = session_cookie
    assert not signed_in(replayed)
    assert sign_in(client, user).status_code == 302 and signed_in(client)

    run_queued_tasks(monkeypatch)
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"ruth@example.org", "sarah@example.org", "priya@example.org"} <= recipients


def test_a_task_from_the_database_is_claimed_once_and_kept_until_it_succeeds(redis_down):
    queue_email("account-deleted", "ruth@example.org", {})
    first, second = get_broker(), get_broker()
    [(row_id, payload)] = first.dequeue()
    assert second.dequeue() is None, "locked for `retry` seconds: no other cluster takes it"
    assert OrmQ.objects.filter(pk=row_id).exists(), "kept until the task succeeds"
    first.acknowledge(row_id)
    assert not OrmQ.objects.exists()
