"""Create the first admin account for a development site, once.

The password is random and written to a file readable only by its owner (var/admin-credentials.txt
by default), and shown on the terminal: this is a development convenience. It never goes through
the logging module, so it cannot end up in a log aggregator.
"""

import os
import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

DEFAULT_EMAIL = "admin@vigil.localhost"


class Command(BaseCommand):
    help = "Create a superuser with a random password, unless one exists (for development)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--email",
            default=DEFAULT_EMAIL,
            help=f"The admin's email address, which is also the login (default {DEFAULT_EMAIL}).",
        )
        parser.add_argument(
            "--credentials-file",
            type=Path,
            default=None,
            help="Where to write the email and password (default var/admin-credentials.txt).",
        )

    def handle(self, *args, email, credentials_file, **options):
        path = credentials_file or Path(settings.BASE_DIR) / "var" / "admin-credentials.txt"
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.report_existing(path)
            return

        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not a valid email address.") from error
        taken = (
            user_model.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        )
        if taken:
            raise CommandError(
                f"{email} already belongs to an account that is not a superuser. "
                "Choose another address with --email."
            )

        password = secrets.token_urlsafe(18)
        with transaction.atomic():
            user = user_model.objects.create_superuser(email=email, password=password)
            # allauth requires a verified address before it lets anyone log in.
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            # Written inside the transaction: if the file cannot be written, no account is
            # left behind whose password nobody knows.
            write_private_file(path, self.credentials_text(email, password))

        self.stdout.write(self.style.SUCCESS(f"Created the superuser {email}."))
        self.stdout.write(f"Admin: {admin_url()} — email {email}, password {password}")
        self.stdout.write(f"The credentials are saved in {path} (readable only by you).")
        self.stdout.write(
            "On the first visit to the back office, Vigil emails a code to that address "
            "(see EMAIL_PROVIDER; in development it is written to var/mail/) before you set "
            "up an authenticator app: a password alone never opens the back office."
        )

    def report_existing(self, path):
        if not path.exists():
            self.stdout.write(
                "A superuser already exists; nothing created. "
                "Use `manage.py changepassword <email>` if the password is lost."
            )
            return
        lines = path.read_text(encoding="utf-8").splitlines()
        email = field_value(lines, "email")
        password = field_value(lines, "password")
        self.stdout.write(f"A superuser already exists; nothing created. Credentials: {path}")
        if email:
            self.stdout.write(f"Admin: {admin_url()} — email {email}, password {password or '?'}")

    @staticmethod
    def credentials_text(email, password):
        return (
            "# Vigil development admin, created by `manage.py ensure_admin`.\n"
            f"url: {admin_url()}\n"
            f"email: {email}\n"
            f"password: {password}\n"
        )


def admin_url():
    return f"{settings.SITE_URL}/admin/"


def field_value(lines, name):
    """The value of a ``name: value`` line, or an empty string."""
    prefix = f"{name}:"
    for line in lines:
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return ""


def write_private_file(path, text):
    """Write ``text`` to ``path`` with mode 600, also when the file already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
