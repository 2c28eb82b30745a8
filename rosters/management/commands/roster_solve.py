"""Solve a roster problem file, or write a generated one.

    manage.py roster_solve PROBLEM.json --time-limit 10 --out SOLUTION.json
    manage.py roster_solve --generate medium --seed 1 --out PROBLEM.json

The formats are in docs/roster-format.md. Exits with status 1 when no roster can exist (after
printing why) or none was found in time.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lib.roster import FormatError, Problem, Progress, check, generate, solve

SIZES = ("small", "medium", "large", "real", "mixed-small", "mixed-medium", "mixed-large")


class Command(BaseCommand):
    help = "求解排班问题（JSON），打印得分、下界、差距与用时；或生成示例问题。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("problem", nargs="?", help="problem JSON (docs/roster-format.md)")
        parser.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
        parser.add_argument("--out", help="write the solution (or the generated problem) here")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--generate", choices=SIZES, help="write a generated problem")
        parser.add_argument("--progress", action="store_true", help="print every better roster")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            problem = generate(options["generate"], seed=options["seed"])
            out = options["out"] or f"roster-{options['generate']}-{options['seed']}.json"
            problem.dump(out)
            demand = sum(s.headcount for s in problem.shifts)
            self.stdout.write(
                f"已生成 {out}：{len(problem.people)} 人，{len(problem.posts)} 个岗位，"
                f"{len(problem.shifts)} 个班次，共 {demand} 人次"
            )
            return
        if not options["problem"]:
            raise CommandError("请给出问题文件 PROBLEM.json，或用 --generate 生成一个")
        try:
            problem = Problem.load(options["problem"])
        except (OSError, FormatError) as e:
            raise CommandError(f"无法读取 {options['problem']}：{e}") from e

        def show(p: Progress) -> None:
            self.stdout.write(
                f"  {p.time_s:7.2f} s  {p.phase:<10} "
                f"得分 {p.score}  下界 {p.bound}  差距 {p.gap_pct}%"
            )

        result = solve(
            problem,
            time_limit=options["time_limit"],
            workers=options["workers"],
            seed=options["seed"],
            on_progress=show if options["progress"] else None,
        )
        if options["out"]:
            Path(options["out"]).write_text(
                json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n",
                encoding="utf-8",
            )
        self.stdout.write(f"状态 status: {result.status}")
        if result.reasons:
            self.stdout.write("原因 reasons:")
            for reason in result.reasons:
                self.stdout.write(f"  - {reason}")
        if not result.ok:
            raise CommandError(f"没有可行的值班表（{result.status}）", returncode=1)
        violations = check(problem, result.assignments)
        first = "-" if result.first_solution_s is None else f"{result.first_solution_s:.2f} s"
        self.stdout.write(
            f"得分 score: {result.score}  下界 bound: {result.bound}  差距 gap: {result.gap_pct}%\n"
            f"用时 time: {result.time_s:.2f} s  首个方案 first roster: {first}\n"
            f"构成 breakdown: {result.breakdown}\n"
            f"违反硬性规则 violations: {len(violations)}"
        )
        if violations:  # never expected: the checker is independent of the solver
            raise CommandError(violations[0].message, returncode=2)
