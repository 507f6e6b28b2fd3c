"""The outbox is infrastructure: it knows its kinds only through the registry."""

import ast
from pathlib import Path

from django.apps import apps

from core import outbox

APPS = {"prayer", "digests", "vigils", "campaigns", "volunteers"}


def test_the_outbox_imports_no_app():
    tree = ast.parse(Path(outbox.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & APPS


def test_every_app_registers_its_kinds_when_ready():
    assert apps.ready
    kinds = outbox.registered_kinds()
    assert set(kinds) == {
        "digest",
        "campaign_update",
        "vigil_message",
        "calendar_day",
        "shift_message",
    }
    for kind in kinds.values():
        assert issubclass(kind.model, outbox.Delivery)
        assert kind.model._meta.get_field(kind.parent_field).is_relation
