# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make mutation``: every file of plugins/module_utils/ mutated by mutmut, each against the unit tests that
cover it (tests/mutation/plan.py), then one kill rate and the survivors that matter.

Usage: all.py [--parallel N] [--timeout S] [--check] [FILE ...]   (FILE: names in plugins/module_utils/)

For each file, quick.py (mutmut 3 generates the mutants; the file's tests from plan.PLAN run in one process
against each mutant) writes its results to build/mutation/by-file/<file>/ (or $MUTATION_STAGE/by-file/), N files
at a time (default 2, one per core). Then the results of every file measured so far are read back and printed:
per file mutants, killed (a test failed or the mutant ran over the timeout), survived, of those the ones
plan.EQUIVALENT explains (a mutant with no observable effect, with the reason), and the kill rate
(killed / mutants, equivalent mutants counted as survivors: the rate is not flattered by them). A survivor in
plan.CRITICAL code (TLS, secrets, check mode, idempotency, paging) is listed apart. The summary goes to
build/mutation/summary.json and summary.md (the table in docs/mutation.md is copied from it).
With --check the exit code is 1 when the rate is under 90%, an unexplained survivor is in critical code, or a
reason in plan.EQUIVALENT names a mutant that was killed or no longer exists (the file changed since).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import plan  # noqa: E402  pylint: disable=wrong-import-position

COLL = os.path.join("ansible_collections", "filefleet", "office")
PREFIX = COLL.replace(os.sep, ".") + ".plugins.module_utils."
MODULE_UTILS = os.path.join(REPO, "plugins", "module_utils")
ROOT = os.path.abspath(os.environ.get("MUTATION_STAGE", os.path.join(REPO, "build", "mutation")))
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}
TARGET = 90.0


def stage_of(name):
    return os.path.join(ROOT, "by-file", name[:-len(".py")])


def start(name, timeout):
    tests = plan.PLAN[name]
    os.makedirs(os.path.join(ROOT, "by-file"), exist_ok=True)
    log = open(stage_of(name) + ".log", "w")  # pylint: disable=consider-using-with
    env = dict(os.environ, MUTATION_STAGE=stage_of(name), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, os.path.join(HERE, "quick.py"), name,
           "--timeout", str(timeout), "--"] + tests
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT), log


def run(files, parallel, timeout):
    pending = list(files)
    running = {}
    while pending or running:
        while pending and len(running) < parallel:
            name = pending.pop(0)
            running[name] = (start(name, timeout), time.time())
            print("mutation: %s started (%d tests files)" % (name, len(plan.PLAN[name])), flush=True)
        time.sleep(1)
        for name, ((proc, log), began) in list(running.items()):
            if proc.poll() is None:
                continue
            log.close()
            del running[name]
            print("mutation: %s done in %.0f s (exit %d; log %s.log)"
                  % (name, time.time() - began, proc.returncode, stage_of(name)), flush=True)


def critical(key, name):
    function = key[len(PREFIX) + len(name) - len(".py") + 1:].rsplit("__mutmut_", 1)[0]
    return any(fnmatch.fnmatch(function, glob) for glob in plan.CRITICAL.get(name, ()))


def summarise(files):
    rows, survivors = [], []
    for name in files:
        meta = os.path.join(stage_of(name), "mutants", COLL, "plugins", "module_utils", name + ".meta")
        if not os.path.exists(meta):
            rows.append({"file": name, "measured": False})
            continue
        with open(meta) as f:
            codes = json.load(f)["exit_code_by_key"]
        row = {"file": name, "measured": True, "mutants": 0, "killed": 0, "timeout": 0, "survived": 0,
               "equivalent": 0, "not_run": 0}
        for key, code in sorted(codes.items()):
            if code is None:
                row["not_run"] += 1
                continue
            row["mutants"] += 1
            if code in KILLED:
                row["killed"] += 1
            elif code in TIMEOUT:
                row["timeout"] += 1
            else:
                row["survived"] += 1
                short = key[len(PREFIX):]
                reason = plan.EQUIVALENT.get(short)
                row["equivalent"] += 1 if reason else 0
                survivors.append({"mutant": short, "exit_code": code, "critical": critical(key, name),
                                  "equivalent": reason})
        module = name[:-len(".py")] + "."
        alive = {s["mutant"] for s in survivors}
        row["stale"] = sorted(k for k in plan.EQUIVALENT if k.startswith(module) and k not in alive
                              and (PREFIX + k not in codes or codes[PREFIX + k] is not None))
        rows.append(row)
    return rows, survivors


def rate(row):
    """Killed (and timed out) of the mutants run; 0 when none ran (nothing measured is not a pass)."""
    return 100.0 * (row["killed"] + row["timeout"]) / row["mutants"] if row["mutants"] else 0.0


def report(rows, survivors):
    measured = [r for r in rows if r["measured"]]
    keys = ("mutants", "killed", "timeout", "survived", "equivalent", "not_run")
    total = {k: sum(r[k] for r in measured) for k in keys}
    lines = ["| file | tests | mutants run | killed | timeout | survived | of which equivalent | kill rate | not run |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        if not r["measured"]:
            lines.append("| %s | %d files | not measured | | | | | | |" % (r["file"], len(plan.PLAN[r["file"]])))
            continue
        lines.append("| %s | %d files | %d | %d | %d | %d | %d | %.1f%% | %d |" % (
            r["file"], len(plan.PLAN[r["file"]]), r["mutants"], r["killed"], r["timeout"], r["survived"],
            r["equivalent"], rate(r), r["not_run"]))
    lines.append("| **total** | | %d | %d | %d | %d | %d | **%.1f%%** | %d |" % (
        total["mutants"], total["killed"], total["timeout"], total["survived"], total["equivalent"], rate(total),
        total["not_run"]))
    bad = [s for s in survivors if s["critical"] and not s["equivalent"]]
    lines += ["", "Survivors in critical code (TLS, secrets, check mode, idempotency, paging), not explained: %d"
              % len(bad)]
    lines += ["- `%s`" % s["mutant"] for s in bad]
    unexplained = [s for s in survivors if not s["critical"] and not s["equivalent"]]
    lines += ["", "Other survivors, not explained: %d" % len(unexplained)]
    lines += ["- `%s`" % s["mutant"] for s in unexplained]
    lines += ["", "Equivalent mutants (no observable effect; reasons in tests/mutation/plan.py): %d"
              % sum(1 for s in survivors if s["equivalent"])]
    stale = [k for r in measured for k in r.get("stale", ())]
    lines += ["", "Reasons in tests/mutation/plan.py EQUIVALENT for mutants that were killed or do not exist "
              "(the file changed since: re-check them): %d" % len(stale)]
    lines += ["- `%s`" % k for k in stale]
    text = "\n".join(lines) + "\n"
    os.makedirs(ROOT, exist_ok=True)
    with open(os.path.join(ROOT, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(ROOT, "summary.json"), "w") as f:
        json.dump({"rows": rows, "total": total, "kill_rate": rate(total), "survivors": survivors}, f, indent=1)
    print(text)
    return rate(total), bad


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--parallel", type=int, default=int(os.environ.get("MUTATION_PARALLEL", "2")))
    parser.add_argument("--timeout", type=int, default=30, help="seconds per mutant (over it: killed)")
    parser.add_argument("--report-only", action="store_true", help="read the results already in build/mutation/")
    parser.add_argument("--check", action="store_true", help="exit 1 under 90%% or with a critical survivor")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv[1:])
    names = sorted(n for n in os.listdir(MODULE_UTILS) if n.endswith(".py") and n != "__init__.py")
    missing = [n for n in names if n not in plan.PLAN]
    if missing:
        sys.exit("mutation: tests/mutation/plan.py has no tests for %s" % ", ".join(missing))
    files = args.files or names
    for name in files:
        if name not in plan.PLAN:
            sys.exit("mutation: %s is not a file of plugins/module_utils/" % name)
    if not args.report_only:
        began = time.time()
        run(files, max(1, args.parallel), args.timeout)
        print("mutation: %d files in %.0f s" % (len(files), time.time() - began))
    rows, survivors = summarise(names)
    kill_rate, bad = report(rows, survivors)
    if args.check and (kill_rate < TARGET or bad or any(r.get("stale") for r in rows)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
