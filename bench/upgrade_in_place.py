"""Upgrade in place: a database made by an earlier release migrates to today's code intact.

1. The earlier release's code (`--from`, a git revision; default the Makefile's UPGRADE_FROM)
   is unpacked with `git archive` into a temporary folder. With that code, on a fresh
   PostgreSQL database (UPGRADE_DATABASE_URL, default .../vigil_bench_upgrade): `migrate`,
   `demo_content`, then supporters who joined everything (a prayer subscription, a calendar,
   a vigil, a prayer request, a volunteer profile with shifts, a church registration), and
   every bulk send run to its end (a digest, a campaign update, a vigil organisers' message, a
   shift message) so the database holds sent deliveries. Every link in the emails that code
   sent is kept: they are the links people already have in their inboxes.
2. Every row of every table is read, over the columns the table had.
3. Today's code runs `manage.py migrate`, the real command, so an inconsistent migration
   history stops it as it would stop an install.
4. Read again over the same columns: every row of the release must still be there, unchanged,
   except where a migration changes rows on purpose (CHANGES_ON_PURPOSE, which names why).
5. Every emailed link is opened with today's code: none may answer 400 or 404.

Both runs use the test settings (the same SECRET_KEY, tasks run inline, email kept in memory).
Prints one JSON line last; exits non-zero when anything was lost, changed or refused.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_upgrade"
# Rows a migration rewrites on purpose, by table: what it does. Anything else must be equal.
CHANGES_ON_PURPOSE = {
    "volunteers_volunteer": "phone numbers stored in E.164 (volunteers 0006)",
    "volunteers_signup": "pending phone numbers stored in E.164 (volunteers 0006)",
    "campaigns_registrationcontact": "phone numbers stored in E.164 (campaigns 0009)",
    "django_content_type": "models that changed app are relabelled: core (website 0009), digests "
    "and vigils (digests 0001, vigils 0001)",
    "django_q_schedule": "schedules are created, updated and retired by name on migrate",
    "django_q_ormq": "the task queue",
    "django_q_task": "the task results",
    "prayer_vigilmessage": "sends started before the outbox are marked finished (prayer 0009)",
    "volunteers_shiftmessage": "sends started before the outbox are marked finished "
    "(volunteers 0005)",
}
# Columns a migration renamed: (table, old name) -> new name (the values must stay the same).
RENAMED_COLUMNS = {
    ("prayer_calendarsubscription", "token_version"): "link_version",  # prayer 0010
    ("prayer_vigilsignup", "token_version"): "link_version",
}

# Run by the earlier release's code: the people and the sends, and the links they were sent.
POPULATE = r"""
import json, re, sys
from django.core import mail
from django.utils import timezone
from wagtail.models import Page

from tests.factories import supporter_records

home = Page.objects.get(depth=2).specific
records = [supporter_records(home, f"supporter{n}@example.org", name=f"Supporter {n}")
           for n in range(3)]

from prayer import digests
from prayer.models import PrayerRequest, Subscription
Subscription.objects.update(frequency="daily")
PrayerRequest.objects.update(approved_at=timezone.now() - timezone.timedelta(hours=1))
digests.dispatch(send_now=True)

from campaigns.models import CampaignUpdate
from campaigns.updates import start_sending
campaign = records[0]["campaign"]
update = CampaignUpdate.objects.create(campaign=campaign, subject="Freedom Sunday is near",
                                       body="<p>Thank you for praying.</p>")
start_sending(update, None)

from prayer.models import VigilMessage
from prayer.tasks.vigils import send_vigil_message
vigil = records[0]["vigil_signup"].vigil
message = VigilMessage.objects.create(vigil=vigil, subject="Tonight", body="Thank you.")
send_vigil_message(message.pk)

from volunteers.models import ShiftMessage
from volunteers.tasks import send_shift_message
shift = records[0]["future_shift"]
message = ShiftMessage.objects.create(shift=shift, subject="Parking", body="Use the door.")
send_shift_message(message.pk)

texts = []
for message in getattr(mail, "outbox", []):
    texts.append(message.body)
    texts.extend(content for content, _ in getattr(message, "alternatives", []))
    texts.append(json.dumps(getattr(message, "merge_data", {}) or {}))
    texts.append(json.dumps(getattr(message, "merge_headers", {}) or {}))
    texts.append(json.dumps(dict(message.extra_headers)))
links = sorted({link for text in texts
                for link in re.findall(r"http://testserver(/[^\s\"'<>\\]+)", text)})
json.dump({"emails": len(getattr(mail, "outbox", [])), "links": links}, sys.stdout)
"""

# Run by today's code: open every link people already have.
OPEN_LINKS = r"""
import json, sys
from django.test import Client
links = json.load(open(sys.argv[-1]))
client = Client()
refused = {}
for link in links:
    status = client.get(link).status_code
    if status in (400, 404) or status >= 500:
        refused[link.split("?")[0].rsplit("/", 2)[0]] = status
# Every live page too: pages whose model changed app (vigils, calendars) must still render.
from wagtail.models import Page
pages = list(Page.objects.live().filter(depth__gt=1))
broken = {}
for page in pages:
    status = client.get(page.url).status_code
    if status != 200:
        broken[page.url] = status
json.dump({"opened": len(links), "refused": refused, "pages": len(pages), "pages_broken": broken},
          sys.stdout)
"""


def run(code_dir, *args, env, capture=False):
    result = subprocess.run(
        [PYTHON, *args],
        cwd=code_dir,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout


def manage_shell(code_dir, script, env, *extra):
    """Run `script` with Django set up, from `code_dir`; its last stdout line is JSON."""
    path = Path(tempfile.mkstemp(suffix=".py", dir=code_dir)[1])
    path.write_text(
        "import django, os, sys\nsys.path.insert(0, os.getcwd())\ndjango.setup()\n" + script
    )
    try:
        out = run(code_dir, str(path), *extra, env=env, capture=True)
    finally:
        path.unlink()
    return json.loads(out.strip().splitlines()[-1])


def snapshot(database_url, columns=None):
    """{table: {"columns": [...], "rows": {row as text, ...}}}, over `columns` where given."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url, autocommit=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        result = {}
        for table in tables:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = %s ORDER BY column_name",
                    [table],
                )
            ]
            if columns is not None:
                names = [name for name in columns.get(table, []) if name in names]
            selected = sql.SQL(", ").join(map(sql.Identifier, names)) if names else sql.SQL("1")
            rows = connection.execute(
                sql.SQL("SELECT r::text FROM (SELECT {} FROM {}) r").format(
                    selected, sql.Identifier(table)
                )
            )
            result[table] = {"columns": names, "rows": {row[0] for row in rows}}
        return result


def recreate(database_url):
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--from", dest="release", required=True, help="git revision")
    args = parser.parse_args()
    database_url = os.environ.get("UPGRADE_DATABASE_URL", DEFAULT_DATABASE_URL)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "website.settings.test",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("REDIS_URL", None)
    recreate(database_url)

    with tempfile.TemporaryDirectory(prefix="vigil-release-") as old:
        archive = subprocess.run(
            ["git", "archive", args.release], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        (Path(old) / "var").mkdir(exist_ok=True)
        old_env = {**env, "PYTHONPATH": old}
        run(old, "manage.py", "migrate", "-v0", env=old_env)
        run(old, "manage.py", "demo_content", env=old_env, capture=True)
        sent = manage_shell(old, POPULATE, old_env)

    before = snapshot(database_url)
    run(str(ROOT), "manage.py", "migrate", "-v0", env=env)
    after = snapshot(
        database_url,
        {
            table: [RENAMED_COLUMNS.get((table, name), name) for name in data["columns"]]
            for table, data in before.items()
        },
    )

    # A row of the release that is not found, unchanged, after the upgrade (rows added by the
    # upgrade, such as new permissions or migration records, are not counted).
    missing = {
        table: len(data["rows"] - after.get(table, {}).get("rows", set()))
        for table, data in before.items()
    }
    changed = sorted(table for table, count in missing.items() if count)
    unexpected = {table: missing[table] for table in changed if table not in CHANGES_ON_PURPOSE}
    lost = {
        table: {"before": len(data["rows"]), "after": len(after.get(table, {}).get("rows", ()))}
        for table, data in before.items()
        if len(after.get(table, {}).get("rows", ())) < len(data["rows"])
        and table not in CHANGES_ON_PURPOSE
    }
    deliveries = {
        table: len(before[table]["rows"])
        for table in ("prayer_digestdelivery", "campaigns_updatedelivery")
        if table in before
    }

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as links_file:
        json.dump(sent["links"], links_file)
    opened = manage_shell(str(ROOT), OPEN_LINKS, env, links_file.name)
    os.unlink(links_file.name)

    result = {
        "bench": "upgrade_in_place",
        "from": args.release,
        "tables": len(before),
        "rows_before": sum(len(data["rows"]) for data in before.values()),
        "rows_after": sum(len(after[table]["rows"]) for table in before if table in after),
        "deliveries_sent_by_release": deliveries,
        "emails_sent_by_release": sent["emails"],
        "links_opened": opened["opened"],
        "links_refused": opened["refused"],
        "pages_opened": opened["pages"],
        "pages_broken": opened["pages_broken"],
        "tables_lost_rows": lost,
        "tables_changed_on_purpose": [table for table in changed if table in CHANGES_ON_PURPOSE],
        "rows_changed_unexpectedly": unexpected,
    }
    result["passed"] = not (lost or unexpected or opened["refused"] or opened["pages_broken"])
    print(json.dumps(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
