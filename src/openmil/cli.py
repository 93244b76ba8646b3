"""The `openmil` command: every Django management command plus OpenMIL's own.

`openmil demo-data` and `openmil demo_data` are the same command.
"""

import os
import sys


def _preset_environment(argv: list[str]) -> None:
    """Settings that must be known before Django starts, for the demo."""
    if len(argv) > 1 and argv[1] == "demo":
        for i, arg in enumerate(argv):
            if arg == "--data-dir" and i + 1 < len(argv):
                os.environ["OPENMIL_DATA_DIR"] = argv[i + 1]
            elif arg.startswith("--data-dir="):
                os.environ["OPENMIL_DATA_DIR"] = arg.split("=", 1)[1]
        # The demo serves plain HTTP on loopback with known passwords.
        os.environ.setdefault("OPENMIL_HTTPS", "0")
        os.environ.setdefault("OPENMIL_REQUIRE_2FA", "0")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "openmil"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    if len(argv) > 2 and argv[1] == "help" and not argv[2].startswith("-"):
        argv[2] = argv[2].replace("-", "_")
    _preset_environment(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
