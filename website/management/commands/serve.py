"""`manage.py serve`: the development server and a task cluster together; Ctrl-C stops both."""

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development server and a django-q2 cluster; stopping one stops both."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, addrport, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        signal.signal(signal.SIGTERM, self._exit)
        children = []
        try:
            children.append(subprocess.Popen([*manage, "qcluster"]))
            children.append(subprocess.Popen([*manage, "runserver", addrport]))
            while all(child.poll() is None for child in children):
                try:
                    children[-1].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(children)

    @staticmethod
    def _exit(signum, frame):
        raise SystemExit(0)

    @staticmethod
    def _stop(children):
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
