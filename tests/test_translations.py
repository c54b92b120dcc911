"""Every user-facing string ships in Spanish, and the catalogue is up to date."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import service_missing

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = Path("locale/es/LC_MESSAGES/django.po")
ENTRY = re.compile(r'^msgid "(.*)"$', re.MULTILINE)


def entries(po_text: str) -> dict[str, str]:
    """msgid → joined msgstr (plural forms joined), header excluded."""
    result = {}
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        key, current, parts = None, None, {"msgid": [], "msgstr": []}
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = "msgid" if match.group(1) == "msgid" else None
                if match.group(1).startswith("msgstr"):
                    current = "msgstr"
                if current:
                    parts[current].append(match.group(2))
            elif line.startswith('"') and current:
                parts[current].append(line.strip('"'))
        key = "".join(parts["msgid"])
        if key:
            result[key] = "".join(parts["msgstr"])
    return result


def test_every_string_has_a_spanish_translation():
    catalogue = entries((ROOT / CATALOGUE).read_text(encoding="utf-8"))
    untranslated = [msgid for msgid, msgstr in catalogue.items() if not msgstr]
    assert untranslated == []
    assert "#, fuzzy" not in (ROOT / CATALOGUE).read_text(encoding="utf-8")


def test_catalogue_holds_every_string_in_the_code(tmp_path):
    if not shutil.which("xgettext"):
        service_missing("gettext is not installed (apt-get install gettext)")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "staticfiles", "__pycache__", "node_modules"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "es",
            "--no-obsolete",
            "--ignore",
            "static/vendor/*",
        ],
        cwd=copy,
        # A database URL keeps settings from starting an embedded server; no
        # connection is made.
        env={**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1/postgres"},
        check=True,
        capture_output=True,
    )
    shipped = set(entries((ROOT / CATALOGUE).read_text(encoding="utf-8")))
    needed = set(entries((copy / CATALOGUE).read_text(encoding="utf-8")))
    assert sorted(needed - shipped) == []
