#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet benchmark: playbooks/fleet_edge.yml over N simulated Edge Filers with 10 shares each.

    .venv/bin/python benchmarks/bench_edge_fleet.py 25 100 300 [--forks 20]

For each N: starts tests/simulators/serve.py with N filers (TLS), writes an inventory (group edge_filers, per-host
URL and password), runs the playbook once (creates 10 shares per filer, sync stays enabled) and again (converged),
and prints wall time, requests per filer and logins per filer of each run, read from every filer's /_sim/stats.
The converged run must report changed=0 on every host.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests"))

from simulators.harness import Simulators  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = os.path.join(REPO, "playbooks", "fleet_edge.yml")
COLLECTIONS = os.path.join(REPO, "build", "collections")
BIN = os.path.dirname(sys.executable)
DIRECTORIES = ["cloud/users", "cloud/projects", "cloud/public", "cloud/shared", "cloud/team", "cloud/departments",
               "cloud/departments/finance", "cloud/departments/sales", "cloud/departments/engineering",
               "local/archive"]
SHARES = [{"name": "share-%02d %s" % (i + 1, "& co" if i % 3 == 0 else "data"), "directory": d,
           "comment": "benchmark share %d" % (i + 1),
           "acl": [{"type": "local_group", "name": "Administrators", "permission": "ReadWrite"},
                   {"type": "domain_group", "name": "CORP\\Staff %d" % (i % 4), "permission": "ReadOnly"}]}
          for i, d in enumerate(DIRECTORIES)]
RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def ensure_collection_link():
    link = os.path.join(COLLECTIONS, "ansible_collections", "filefleet", "office")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)


def write_inventory(path, edges):
    hosts = {}
    for edge in edges:
        hosts[edge["name"]] = {"edge_url": edge["url"], "edge_password": edge["password"],
                               "edge_ca_path": edge["ca_path"]}
    inventory = {"all": {"children": {"edge_filers": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "edge_username": "admin", "edge_sync_state": "enabled", "edge_shares": SHARES},
        "hosts": hosts}}}}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)  # JSON is YAML


def all_stats(sims):
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(sims.stats, sims.info["edges"]))


def run(inventory, forks):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_RETRY_FILES_ENABLED="false",
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, PLAYBOOK, "--forks", str(forks)]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600, check=False)
    wall = time.monotonic() - started
    recap = dict((m.group(1), tuple(int(x) for x in m.groups()[1:])) for m in RECAP.finditer(proc.stdout))
    return proc, wall, recap


def measure(count, forks):
    state = tempfile.mkdtemp(prefix="bench-edge-%d-" % count)
    with Simulators(state, edges=count, timeout=60) as sims:
        inventory = os.path.join(state, "inventory.yml")
        write_inventory(inventory, sims.info["edges"])
        rows = []
        for label in ("first", "converged"):
            before = all_stats(sims)
            proc, wall, recap = run(inventory, forks)
            after = all_stats(sims)
            requests = sum(a["total_requests"] - b["total_requests"] for a, b in zip(after, before))
            logins = sum(a["logins"] - b["logins"] for a, b in zip(after, before))
            failed = sum(r[3] + r[2] for r in recap.values())
            changed = sum(r[1] for r in recap.values())
            if proc.returncode != 0 or failed or len(recap) != count:
                sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
                raise SystemExit("%s run over %d filers failed (rc=%s)" % (label, count, proc.returncode))
            if label == "converged" and changed:
                raise SystemExit("converged run over %d filers reported changed=%d" % (count, changed))
            if label == "first" and changed != count:  # the recap counts one changed task (the share loop) per host
                raise SystemExit("first run over %d filers reported changed=%d, expected %d" % (count, changed, count))
            rows.append({"filers": count, "run": label, "wall_s": round(wall, 2), "changed": changed,
                         "requests_per_filer": round(requests / count, 1), "logins_per_filer": round(logins / count, 2),
                         "logins_per_filer_per_task": round(logins / count / 2, 2)})
        sample = sims.state(sims.info["edges"][-1])
        shares = [s["name"] for s in sample["config"]["fileservices"]["share"]]
        assert all(s["name"] in shares for s in SHARES), "shares missing on %s" % sims.info["edges"][-1]["name"]
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("counts", nargs="*", type=int, default=[100], help="numbers of filers (default 100)")
    parser.add_argument("--forks", type=int, default=20)
    args = parser.parse_args(argv)
    ensure_collection_link()
    header = ("filers", "run", "wall_s", "changed", "requests/filer", "logins/filer", "logins/filer/task")
    print("%-7s %-10s %8s %8s %14s %12s %20s" % header)
    results = []
    for count in args.counts:
        for row in measure(count, args.forks):
            results.append(row)
            print("%-7d %-10s %8.2f %8d %14.1f %12.2f %20.2f" % (
                row["filers"], row["run"], row["wall_s"], row["changed"], row["requests_per_filer"],
                row["logins_per_filer"], row["logins_per_filer_per_task"]))
            sys.stdout.flush()
    converged = [r for r in results if r["run"] == "converged"]
    for row in converged:
        per = row["wall_s"] / row["filers"]
        print("converged, %d filers: %.3f s per filer (forks %d)" % (row["filers"], per, args.forks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
