#!/usr/bin/env python
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnipoint.config.settings")
    if sys.argv[1:2] in (["demo_seed"], ["demo_serve"]):
        # The demo commands, and only they, turn the demo on (omnipoint.config.settings.DEMO_MODE).
        os.environ.setdefault("OMNIPOINT_DEMO", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
