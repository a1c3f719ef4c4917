"""A class on the one-machine JupyterHub of docs/teaching.md, all learners at once.

N learners (default 10) log in at the same moment, each starts their server, opens the
guide's nbgitpuller link (to a clone of this project on the same machine), opens chapter 02
with a kernel and runs all its cells, as tests/test_hub.py does for one learner. Printed and
written to ``benchmarks/results/hub_class.json``:

- for each learner, the seconds from the common start to: logged in, server ready, course
  pulled, first cell output of chapter 02, last cell done;
- memory (PSS, shared pages split between the processes sharing them, and RSS) of the hub,
  its proxy, the learners' servers and their kernels, measured while every kernel is alive;
- CPU seconds used by the servers and kernels (git included).

Run from the repository root: ``python -m benchmarks.hub_class`` (``-n 3`` for a smaller
class). Needs what tests/test_hub.py needs: jupyterhub, nbgitpuller, Node's
configurable-http-proxy.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "tests"):  # `python benchmarks/hub_class.py` from anywhere
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from hub_driver import (  # noqa: E402
    CH02,
    Kernel,
    Learner,
    pull_link,
    running_hub,
    upstream_clone,
    wait_for,
)

from benchmarks._common import write_json  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def one_learner(base: str, name: str, password: str, link: str, t0: float, out: dict):
    """One learner's morning; their times go to ``out[name]``, their kernel stays open."""
    times: dict = {}
    out[name] = times
    try:
        learner = Learner(base, name, password)
        times["logged_in"] = time.monotonic() - t0
        learner.start()
        wait_for(f"{name}'s server", learner.ready, timeout=600)
        times["server_ready"] = time.monotonic() - t0
        learner.open_link(link)
        times["pulled"] = time.monotonic() - t0
        r = learner.api.post(f"{learner.server}/api/sessions", json={
            "path": CH02, "type": "notebook", "name": "", "kernel": {"name": "python3"}})
        r.raise_for_status()
        kernel = Kernel(learner, r.json()["kernel"]["id"])
        times["kernel"] = kernel
        notebook = learner.contents(CH02).json()["content"]
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            outputs = kernel.execute("".join(cell["source"]))
            if outputs and "first_output" not in times:
                times["first_output"] = time.monotonic() - t0
        times["all_cells"] = time.monotonic() - t0
    except Exception as exc:  # reported in the table, the others go on
        times["error"] = f"{type(exc).__name__}: {exc}"[:300]


def _proc(pid: int) -> dict | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:]
          if line.split()[-1] == "kB"}
    return {"pid": pid, "ppid": int(fields[1]), "cmd": cmd,
            "cpu_s": sum(int(x) for x in fields[11:15]) / TICK,
            "pss_mb": kb.get("Pss", 0) / 1024, "rss_mb": kb.get("Rss", 0) / 1024}


def tree_usage(root_pid: int) -> dict:
    """Memory and CPU of the hub's process tree, by kind of process."""
    procs = [p for p in (_proc(int(d)) for d in os.listdir("/proc") if d.isdigit()) if p]
    children: dict = {}
    for p in procs:
        children.setdefault(p["ppid"], []).append(p)
    tree, todo = [], [p for p in procs if p["pid"] == root_pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p["pid"], []))
    kinds: dict = {}
    for p in tree:
        kind = ("hub" if p["pid"] == root_pid else
                "proxy" if "configurable-http-proxy" in p["cmd"] else
                "server" if "jupyterhub.singleuser" in p["cmd"] else
                "kernel" if "ipykernel" in p["cmd"] else "other")
        k = kinds.setdefault(kind, {"count": 0, "pss_mb": 0.0, "rss_mb": 0.0, "cpu_s": 0.0})
        k["count"] += 1
        for key in ("pss_mb", "rss_mb", "cpu_s"):
            k[key] += p[key]
    return kinds


def run(n: int = 10) -> dict:
    names = [f"learner{i:02d}" for i in range(1, n + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        allowed = [f"--Authenticator.allowed_users={name}" for name in names]
        with running_hub(tmp_path, tuple(allowed)) as hub:
            link = pull_link(hub["base"], upstream_clone(tmp_path))
            password = hub["env"]["ADKERNEL_HUB_PASSWORD"]
            out: dict = {}
            t0 = time.monotonic()
            threads = [threading.Thread(target=one_learner,
                                        args=(hub["base"], name, password, link, t0, out))
                       for name in names]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            usage = tree_usage(hub["pid"])
            for times in out.values():
                kernel = times.pop("kernel", None)
                if kernel is not None:
                    kernel.close()
    return {"learners": out, "usage": usage, "n": n, "cpus": os.cpu_count(),
            "load_before": os.getloadavg()[0], "python": platform.python_version()}


def format_table(res: dict) -> str:
    steps = ("logged_in", "server_ready", "pulled", "first_output", "all_cells")
    lines = ["learner     " + "  ".join(f"{s:>12}" for s in steps)]
    for name, times in sorted(res["learners"].items()):
        row = "  ".join(f"{times[s]:12.1f}" if s in times else f"{'-':>12}" for s in steps)
        lines.append(f"{name:<12}{row}  {times.get('error', '')}")
    done = [t["first_output"] for t in res["learners"].values() if "first_output" in t]
    if done:
        lines.append(f"time to first output: median {statistics.median(done):.1f} s, "
                     f"max {max(done):.1f} s ({len(done)} of {res['n']} learners)")
    lines.append("\nprocesses   count   PSS MB   RSS MB   CPU s")
    for kind, u in sorted(res["usage"].items()):
        lines.append(f"{kind:<10}{u['count']:>7}{u['pss_mb']:>9.0f}{u['rss_mb']:>9.0f}"
                     f"{u['cpu_s']:>8.1f}")
    per = [res["usage"].get(k, {}).get("pss_mb", 0.0) for k in ("server", "kernel")]
    if res["n"]:
        lines.append(f"per learner (server + kernel, PSS): {sum(per) / res['n']:.0f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="learners (default 10)")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "hub_class.json"))
    args = parser.parse_args(argv)
    res = run(args.n)
    print(format_table(res))
    write_json(res, Path(args.json))
    return 0 if all("error" not in t for t in res["learners"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
