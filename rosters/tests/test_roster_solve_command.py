import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lib.roster import Problem, check


def test_roster_solve_generates_solves_and_writes_the_solution(tmp_path: Path, capsys) -> None:
    problem_file = tmp_path / "small.json"
    solution_file = tmp_path / "solution.json"
    call_command("roster_solve", generate="small", seed=2, out=str(problem_file))

    call_command("roster_solve", str(problem_file), time_limit=5, out=str(solution_file))

    out = capsys.readouterr().out
    assert "得分 score:" in out
    assert "下界 bound:" in out
    assert "违反硬性规则 violations: 0" in out
    solution = json.loads(solution_file.read_text())
    assert solution["status"] in ("optimal", "feasible")
    assert solution["score"] >= solution["bound"]
    roster = [(a["shift"], a["person"]) for a in solution["assignments"]]
    assert check(Problem.load(problem_file), roster) == []


def test_roster_solve_prints_why_and_fails_when_no_roster_exists(tmp_path: Path, capsys) -> None:
    problem = Problem.from_dict(
        {
            "version": 1,
            "people": [{"id": "1", "name": "张三", "allocated_posts": ["g"]}],
            "posts": [{"id": "g", "name": "北门"}],
            "shifts": [
                {
                    "id": "s1",
                    "post": "g",
                    "date": "2020-02-03",
                    "slot": "00–06",
                    "start": "2020-02-03T00:00",
                    "end": "2020-02-03T06:00",
                    "headcount": 4,
                }
            ],
        }
    )
    path = tmp_path / "p.json"
    problem.dump(path)
    solution_file = tmp_path / "solution.json"

    with pytest.raises(CommandError):
        call_command("roster_solve", str(path), time_limit=2, out=str(solution_file))

    assert "2月3日 00–06 北门 需要 4 人，可用的只有 1 人" in capsys.readouterr().out
    assert json.loads(solution_file.read_text())["status"] == "infeasible"


def test_roster_solve_explains_an_unstaffable_leaders_rota_without_a_bound(
    tmp_path: Path, capsys
) -> None:
    # the seeds' case: 4 leaders, 24-hour duty at 3 campuses for 30 days, 12 hours' rest
    days = [f"2020-02-{d:02d}" for d in range(1, 30)] + ["2020-03-01"]
    nxt = [*days[1:], "2020-03-02"]
    posts = [{"id": f"L{c}", "name": f"校区{c}领导值班", "is_leader_duty": True} for c in range(3)]
    shifts = [
        {
            "id": f"L{c}@{d}",
            "post": f"L{c}",
            "date": d,
            "slot": "24小时",
            "start": f"{d}T08:00",
            "end": f"{n}T08:00",
            "units": 2,
        }
        for c in range(3)
        for d, n in zip(days, nxt, strict=True)
    ]
    people = [
        {
            "id": f"l{i}",
            "is_leader": True,
            "fairness_group": "校领导",
            "is_cadre": True,
            "allocated_posts": ["L0", "L1", "L2"],
        }
        for i in range(4)
    ]
    problem_file = tmp_path / "leaders.json"
    problem_file.write_text(
        json.dumps({"version": 2, "people": people, "posts": posts, "shifts": shifts}),
        encoding="utf-8",
    )
    solution_file = tmp_path / "solution.json"

    with pytest.raises(CommandError):
        call_command("roster_solve", str(problem_file), time_limit=5, out=str(solution_file))

    out = capsys.readouterr().out
    assert "4 位校领导" in out and "30 天最多能值 60 班，需要 90 班" in out
    assert "再安排 2 名" in out
    assert "下界" not in out
    assert json.loads(solution_file.read_text())["bound"] is None
