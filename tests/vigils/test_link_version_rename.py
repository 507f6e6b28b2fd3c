"""prayer 0010 renamed `token_version` to `link_version` on calendar subscriptions and vigil
sign-ups. A token carries the version's value, not the field's name: links emailed before
the rename still resolve after it, and an older version is still refused."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.signing import LinkRefused, make_token
from tests.factories import add_prayer_calendar, add_vigil, build_site
from tests.reused_db import restore_migration_data
from vigils import calendar_emails as calendar_emails
from vigils import emails as vigil_emails
from vigils.models import CalendarSubscription, VigilSignup

BEFORE = [("prayer", "0009_message_deliveries")]


def migrate_to_the_end():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def tokens_emailed_before_the_rename(subscription_id, signup_id):
    """Made from the rows as prayer 0009 had them, under the old field name."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    subscription = apps.get_model("prayer", "CalendarSubscription").objects.get(pk=subscription_id)
    signup = apps.get_model("prayer", "VigilSignup").objects.get(pk=signup_id)
    return {
        "unsubscribe": make_token(
            calendar_emails.UNSUBSCRIBE_PURPOSE, subscription.pk, subscription.token_version
        ),
        "manage": make_token(vigil_emails.MANAGE_PURPOSE, signup.pk, signup.token_version),
        "stale manage": make_token(
            vigil_emails.MANAGE_PURPOSE, signup.pk, signup.token_version - 1
        ),
    }


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_links_emailed_before_the_rename_still_work():
    restore_migration_data()  # an earlier transactional test flushed every table
    home, _ = build_site()
    subscription = CalendarSubscription.objects.create(
        calendar=add_prayer_calendar(home), email="ruth@example.org", link_version=3
    )
    signup = VigilSignup.objects.create(
        vigil=add_vigil(home), email="mira@example.org", link_version=5
    )

    tokens = tokens_emailed_before_the_rename(subscription.pk, signup.pk)
    migrate_to_the_end()

    assert calendar_emails.UNSUBSCRIBE.resolve(tokens["unsubscribe"]) == subscription
    assert vigil_emails.MANAGE.resolve(tokens["manage"]) == signup
    with pytest.raises(LinkRefused) as refused:
        vigil_emails.MANAGE.resolve(tokens["stale manage"])
    assert refused.value.reason == LinkRefused.SUPERSEDED
