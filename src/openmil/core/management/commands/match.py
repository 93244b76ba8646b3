import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmil.matching import (
    MatchingInputError,
    problem_from_dict,
    solution_to_json,
    solve,
)


class Command(BaseCommand):
    help = (
        "Match candidates to slots: `openmil match solve INPUT.json [-o OUT.json]`."
        " See docs/matching.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        solve_parser = sub.add_parser(
            "solve", help="solve a problem file; the result goes to stdout or -o"
        )
        solve_parser.add_argument("input", help="problem file (JSON)")
        solve_parser.add_argument("-o", "--output", help="write the result here")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        path = Path(options["input"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}.", returncode=2) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(
                f"{path}: not valid JSON: {exc}.", returncode=2
            ) from None
        try:
            problem, solver_options = problem_from_dict(data)
        except MatchingInputError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        solution = solve(problem, **solver_options)
        text = solution_to_json(solution)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
        if solution.status == "error":
            raise CommandError(solution.message, returncode=1)
