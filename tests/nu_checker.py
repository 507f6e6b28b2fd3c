"""The Nu HTML Checker (vnu.jar, from the npm package `vnu-jar`) run over many pages at once.

`make vnu` installs it under tools/vnu/ (ignored by git); VNU_JAR names another copy. It runs
on the machine's Java (`java` on the PATH, 11 or newer). Tests that need it are skipped with
the reason when either is missing, unless VIGIL_REQUIRE_VNU is set (CI), where that fails.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALLED_JAR = ROOT / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_command() -> list[str]:
    """`java -jar vnu.jar`, or a skip (a failure under VIGIL_REQUIRE_VNU) saying what is missing."""
    jar = Path(os.environ.get("VNU_JAR") or INSTALLED_JAR)
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("no `java` on the PATH")
    if not jar.is_file():
        missing.append(f"no vnu.jar at {jar} (run `make vnu`, or set VNU_JAR)")
    if missing:
        reason = "The Nu HTML Checker cannot run: " + "; ".join(missing)
        if os.environ.get("VIGIL_REQUIRE_VNU"):
            pytest.fail(reason)
        pytest.skip(reason)
    return [str(java), "-Xss4m", "-jar", str(jar)]


def check_html_files(paths: list[Path]) -> list[dict]:
    """The checker's errors over all `paths`, in one run (one JVM start): its JSON messages."""
    result = subprocess.run(  # noqa: S603 - our own command line, no shell
        [
            *vnu_command(),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
