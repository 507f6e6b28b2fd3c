"""/healthz: whether this site can serve and its task cluster runs (load balancers poll it)."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.brokers import broker_health
from core.cache_backends import cache_health

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """The database, the task cluster's heartbeat, the cache and the task broker, JSON.

    503 "unhealthy" when the site cannot serve (database unreachable) or tasks stopped
    running (no recent heartbeat); 200 "degraded" when only Redis is away, since pages, forms
    and sign-in then work from the database; else 200 "ok". Load balancers poll this, so it
    costs one query and at most one PING to Redis for each of the cache and the broker (none
    while Redis is in its back-off).
    """
    from core.models import TaskHeartbeat

    report = {
        "database": "ok",
        "cache": cache_health(),
        "broker": broker_health(),
        "tasks": {"heartbeat_age_seconds": None, "status": "unknown"},
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = (
            TaskHeartbeat.objects.filter(cluster=settings.Q_CLUSTER["name"])
            .values_list("beat_at", flat=True)
            .first()
        )
    except DatabaseError as error:
        logger.warning("Health check: database unavailable (%s)", type(error).__name__)
        report["database"] = "unavailable"
        return JsonResponse({"status": "unhealthy", **report}, status=503)

    if beat is None:
        report["tasks"]["status"] = "no heartbeat yet"
    else:
        age = (timezone.now() - beat).total_seconds()
        report["tasks"]["heartbeat_age_seconds"] = round(age, 1)
        report["tasks"]["status"] = "ok" if age <= settings.HEALTHZ_MAX_HEARTBEAT_AGE else "stale"
    if report["tasks"]["status"] != "ok":
        return JsonResponse({"status": "unhealthy", **report}, status=503)
    if "unavailable" in (report["cache"], report["broker"]):
        return JsonResponse({"status": "degraded", **report})
    return JsonResponse({"status": "ok", **report})
