"""`openmil match solve`: the file interface, end to end."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

PROBLEM = {
    "dimensions": ["people"],
    "candidates": [
        {"id": "c1", "size": {"people": 3}, "group": "any label"},
        {"id": "c2", "size": {"people": 2}},
    ],
    "slots": [{"id": "s1", "capacity": {"people": 4}}],
    "pairs": [
        {"candidate": "c1", "slot": "s1", "score": 0.41},
        {"candidate": "c2", "slot": "s1", "score": 0.3},
    ],
    "assign_all": False,
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def match_solve(*args: str) -> str:
    out = io.StringIO()
    call_command("match", "solve", *args, stdout=out)
    return out.getvalue()


def test_the_result_is_printed_to_stdout(tmp_path):
    result = json.loads(match_solve(str(write(tmp_path, PROBLEM))))
    assert result["status"] == "optimal"
    assert result["objective"] == 0.41
    assert result["assignments"] == [{"candidate": "c1", "slot": "s1"}]
    assert set(result) == {
        "status",
        "objective",
        "bound",
        "gap",
        "seconds",
        "assignments",
    }


def test_the_result_goes_to_the_output_file(tmp_path):
    output = tmp_path / "result.json"
    assert match_solve(str(write(tmp_path, PROBLEM)), "-o", str(output)) == ""
    assert json.loads(output.read_text())["objective"] == 0.41


def test_solving_twice_gives_the_same_file_but_for_the_time(tmp_path):
    path = str(write(tmp_path, PROBLEM))
    first, second = json.loads(match_solve(path)), json.loads(match_solve(path))
    first.pop("seconds"), second.pop("seconds")
    assert first == second


def test_infeasible_assign_all_says_so(tmp_path):
    result = json.loads(
        match_solve(str(write(tmp_path, {**PROBLEM, "assign_all": True})))
    )
    assert result["status"] == "infeasible"
    assert result["assignments"] == []
    assert "every candidate must be assigned" in result["message"]


def test_a_bad_entry_is_named_with_exit_code_2(tmp_path):
    bad = json.loads(json.dumps(PROBLEM))
    bad["slots"][0]["capacity"]["people"] = -1
    with pytest.raises(CommandError) as info:
        match_solve(str(write(tmp_path, bad)))
    assert info.value.returncode == 2
    assert "slot 's1': capacity for 'people' is negative: -1." in str(info.value)


def test_a_file_that_is_not_json_exits_with_2(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON") as info:
        match_solve(str(path))
    assert info.value.returncode == 2


def test_the_installed_command_exits_2_and_explains_on_stderr(tmp_path):
    bad = {**PROBLEM, "pairs": PROBLEM["pairs"] + [PROBLEM["pairs"][0]]}
    openmil = Path(sys.executable).with_name("openmil")
    done = subprocess.run(  # noqa: S603 - the installed command, fixed args
        [str(openmil), "match", "solve", str(write(tmp_path, bad))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "pair ('c1', 's1'): duplicate pair." in done.stderr


def test_the_installed_command_prints_only_the_json(tmp_path):
    # HiGHS prints a banner the first time it starts in a process; it must not
    # end up in the result.
    openmil = Path(sys.executable).with_name("openmil")
    done = subprocess.run(  # noqa: S603 - the installed command, fixed args
        [str(openmil), "match", "solve", str(write(tmp_path, PROBLEM))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["objective"] == 0.41
