"""Run a digest dispatch now: `manage.py send_digests [--dry-run]`."""

from django.core.management.base import BaseCommand

from digests import dispatching


class Command(BaseCommand):
    help = "Send prayer digests to every subscriber who is due now."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print how many digests would be sent, without sending or saving anything.",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Hand the batches to the task cluster instead of sending them from here.",
        )

    def handle(self, *args, dry_run=False, queue=False, **options):
        result = dispatching.dispatch(dry_run=dry_run, send_now=not queue)
        if result.busy:
            self.stdout.write("Another dispatch is running; nothing done.")
            return
        verb = "Would send" if dry_run else "Queued" if queue else "Sent"
        self.stdout.write(
            f"{verb} {result.deliveries} digests in {result.issues} issues "
            f"({result.batches} batches); {result.due} subscribers due, "
            f"{result.without_content} with nothing new."
        )
