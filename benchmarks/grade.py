"""How long does ``python -m adkernel grade`` take for a class? (a measurement, not a test)

A class of N submissions of one chapter (default: 100 of chapter 02, "02-gradient-tape") is
built from the course notebook: a third solved with the checker's reference solutions, a
third with a wrong first answer, a third untouched. They are graded with ``--jobs J``
(default 2, the cores of the machine this was written on) and the script prints:

* the wall time for the class and submissions per minute,
* the time per submission (median and 90th percentile of each submission's own time, which
  includes its kernel's start and shutdown),
* the same figures for a plain ``nbclient`` run of the untouched notebook, one at a time, in
  the same run: the ratio "grade time per submission / plain execution time" is the cost of
  grading (probes, fresh imports of the checks) on top of running the notebook at all;
* the same class graded WITHOUT the sandbox in the same run (``--compare``, the default where
  bubblewrap works), in alternating slices of the class so that a busy moment of the machine
  falls on both: "sandboxed / unsandboxed throughput" is the cost of the sandbox (issue 18's
  target: at least 0.8). The unsandboxed run uses the grader's internals, since ``grade``
  itself refuses ``--jobs > 1`` without the sandbox.

Run from the repository root::

    python -m benchmarks.grade                 # 100 submissions, 2 jobs
    python -m benchmarks.grade -n 10 --jobs 1  # a quick look
    python -m benchmarks.grade --chapter ch05  # a heavier chapter
    python -m benchmarks.grade --no-compare    # the sandboxed run only

The results also go to ``benchmarks/results/grade.json`` (git-ignored) with machine info.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python benchmarks/grade.py` from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks._common import write_json  # noqa: E402

DEFAULT_JSON = ROOT / "benchmarks" / "results" / "grade.json"


def _notebook(chapter: str, lang: str = "en") -> Path:
    from adkernel.exercises import CHAPTERS

    files = {key: file for key, file, _ in CHAPTERS}
    return ROOT / "course" / lang / f"{files[chapter]}.ipynb"


def make_class(folder: Path, n: int, chapter: str = "ch02") -> list[Path]:
    """Write ``n`` submissions of ``chapter`` into ``folder``: solved, wrong, untouched in turn.

    "Solved" has every answer cell replaced by the checker's reference solution; "wrong" has
    the first answer cell's ``____`` replaced by ``0`` (chapter-independent; the checker
    rejects it or reports it) and the others untouched.
    """
    import nbformat

    from adkernel.exercises import problems

    base = nbformat.read(_notebook(chapter), as_version=4)
    by_starter = {p.starter.strip(): p for p in problems(chapter)}
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        nb = nbformat.from_dict(base)
        kind = ("solved", "wrong", "untouched")[i % 3]
        for cell in nb.cells:
            problem = by_starter.get(cell.source.strip()) if cell.cell_type == "code" else None
            if problem is None:
                continue
            if kind == "solved":
                cell.source = problem.solution_code
            elif kind == "wrong" and problem.number == 1:
                cell.source = problem.starter.replace("____", "0")
        path = folder / f"learner{i:03d}-{kind}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def plain_execution(path: Path, repeats: int) -> list[float]:
    """Seconds of ``nbclient`` executing ``path`` as it is (fresh kernel each time)."""
    import nbclient
    import nbformat

    times = []
    for _ in range(repeats):
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as cwd:
            start = time.perf_counter()
            nbclient.NotebookClient(
                nb, kernel_name="python3", allow_errors=True, timeout=120,
                resources={"metadata": {"path": cwd}},
            ).execute(env=dict(os.environ, MPLBACKEND="Agg"), stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
    return times


def _grade_unsandboxed(paths: list[Path], jobs: int) -> list:
    """What ``grade.grade`` does with ``--no-sandbox``, without its refusal of ``--jobs > 1``
    (a measurement on the teacher's own files, never for learners' submissions)."""
    import asyncio

    from adkernel import grade

    options = grade.Options(jobs=jobs, sandbox=False, lang="en")
    bar = grade.ProgressBar(len(paths), enabled=False)
    return asyncio.run(grade._grade_all(paths, options, bar))


def run(n: int = 100, jobs: int = 2, chapter: str = "ch02", baseline: int = 5,
        compare: bool | None = None, slices: int = 4) -> dict:
    from adkernel import _sandbox, grade

    if compare is None:
        compare = _sandbox.unavailable() is None
    sandboxed = _sandbox.unavailable() is None
    walls = {"sandbox": 0.0, "none": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_class(Path(tmp) / "submissions", n, chapter)
        base_times = plain_execution(paths[2 % len(paths)], baseline) if baseline else []
        rows, plain_rows = [], []
        size = max(1, -(-n // max(1, slices if compare else 1)))
        for k, first in enumerate(range(0, n, size)):
            part = paths[first:first + size]
            order = ("sandbox", "none") if k % 2 == 0 else ("none", "sandbox")
            for mode in order:
                if mode == "none" and not compare:
                    continue
                start = time.perf_counter()
                if mode == "sandbox":
                    rows += grade.grade(part, options=grade.Options(jobs=jobs,
                                                                   sandbox=sandboxed),
                                        progress=False)
                else:
                    plain_rows += _grade_unsandboxed(part, jobs)
                walls[mode] += time.perf_counter() - start
    wall = walls["sandbox"]
    per_sub = {}
    for r in rows:
        per_sub[r.learner] = r.seconds
    seconds = sorted(per_sub.values())
    states = {}
    for r in rows:
        states[r.state] = states.get(r.state, 0) + 1
    expected_kinds = {"solved": {"correct"}, "untouched": {"not attempted"}}
    mismatched = [
        r.learner for r in rows
        if r.learner.rsplit("-", 1)[1] in expected_kinds
        and r.state not in expected_kinds[r.learner.rsplit("-", 1)[1]]
    ]
    if mismatched:
        raise RuntimeError(f"unexpected grades for {sorted(set(mismatched))[:5]}")
    p90 = seconds[min(len(seconds) - 1, round(0.9 * (len(seconds) - 1)))]
    result = {
        "chapter": chapter,
        "submissions": n,
        "jobs": jobs,
        "wall_seconds": wall,
        "per_minute": 60 * n / wall,
        "per_submission_median": statistics.median(seconds),
        "per_submission_p90": p90,
        "per_submission_all": seconds,
        "wall_per_submission": wall / n,
        "states": states,
        "machine": {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }
    result["sandboxed"] = sandboxed
    if base_times:
        plain = statistics.median(base_times)
        result["plain_execution_median"] = plain
        result["grade_over_plain"] = statistics.median(seconds) / plain
    if compare:
        if [(r.learner, r.exercise, r.state) for r in plain_rows] != [
                (r.learner, r.exercise, r.state) for r in rows]:
            raise RuntimeError("the class got other grades without the sandbox")
        no_box = sorted({r.learner: r.seconds for r in plain_rows}.values())
        result["unsandboxed"] = {
            "wall_seconds": walls["none"],
            "per_minute": 60 * n / walls["none"],
            "per_submission_median": statistics.median(no_box),
        }
        result["sandbox_throughput_ratio"] = walls["none"] / wall
    return result


def format_result(res: dict) -> str:
    lines = [
        f"graded {res['submissions']} submissions of {res['chapter']} with --jobs "
        f"{res['jobs']} in {res['wall_seconds']:.1f} s "
        f"({res['per_minute']:.0f} per minute, {res['wall_per_submission']:.2f} s of wall "
        "time each)",
        f"per submission (its own kernel, start to shutdown): median "
        f"{res['per_submission_median']:.2f} s, 90th percentile {res['per_submission_p90']:.2f} s",
        "states: " + ", ".join(f"{v} {k}" for k, v in sorted(res["states"].items())),
    ]
    if not res.get("sandboxed", True):
        lines.append("(WITHOUT the sandbox: bubblewrap is not available here)")
    if "unsandboxed" in res:
        other = res["unsandboxed"]
        lines.append(
            f"the same class without the sandbox, in the same run: {other['wall_seconds']:.1f} s "
            f"({other['per_minute']:.0f} per minute, median {other['per_submission_median']:.2f}"
            f" s per submission); sandboxed / unsandboxed throughput = "
            f"{res['sandbox_throughput_ratio']:.2f} (target: at least 0.8)")
    if "plain_execution_median" in res:
        lines.append(
            f"plain nbclient execution of the same notebook, one at a time: median "
            f"{res['plain_execution_median']:.2f} s; grading / plain = "
            f"{res['grade_over_plain']:.2f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100, help="submissions (default 100)")
    parser.add_argument("--jobs", type=int, default=2, help="kernels at once (default 2)")
    parser.add_argument("--chapter", default="ch02", help="chapter (default ch02)")
    parser.add_argument("--baseline", type=int, default=5,
                        help="plain nbclient runs for the baseline (default 5; 0: none)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH")
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=None,
                        help="also grade the class without the sandbox and report the ratio "
                             "(default: when the sandbox is available)")
    args = parser.parse_args(argv)
    res = run(args.n, args.jobs, args.chapter, args.baseline, args.compare)
    print(format_result(res))
    write_json(res, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
