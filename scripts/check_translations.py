"""Fail when the Simplified Chinese catalogue misses a string the source uses.

Runs `makemessages` (needs GNU gettext) to bring every msgid of the source into the .po
files, then reports entries that are untranslated or fuzzy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [
    ROOT / "locale/zh_Hans/LC_MESSAGES/django.po",
    ROOT / "locale/zh_Hans/LC_MESSAGES/djangojs.po",
]


def main() -> int:
    subprocess.run(["make", "-s", "makemessages"], cwd=ROOT, check=True)  # noqa: S607
    missing: list[str] = []
    for path in CATALOGUES:
        if not path.exists():
            continue
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not message.id:
                continue
            untranslated = (
                not message.string if isinstance(message.string, str) else not all(message.string)
            )
            if untranslated or message.fuzzy:
                missing.append(f"{path.name}: {message.id!r}")
    if missing:
        print(f"{len(missing)} strings lack a zh-hans translation:")
        print("\n".join(missing[:200]))
        return 1
    print("zh-hans catalogue complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
