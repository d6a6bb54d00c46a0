#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Soak benchmark: playbooks/fleet_edge.yml over N simulated Edge Filers (10 shares and cloud sync each, as
bench_edge_fleet.py) while every filer answers a share of the requests, on every method, with a transient gateway
error (502, 503 or 504 in turn by filer; a seeded random draw per request, so a rerun of the benchmark meets the
same faults in the same order per filer).

    .venv/bin/python benchmarks/bench_soak.py [--filers 300] [--rate 0.01] [--forks 20] [--runs 2]

The playbook runs with the faults on until every filer completed, at most ``--runs`` times (a failed host is
simply run again, as an operator would).
For each run it prints wall time, the hosts that completed, the injected errors and how many of them the client
got past by retrying (read from every filer's ``/_sim/stats``); a creation (POST) that meets an error is not
retried, fails its host with an error naming the share, and the next run creates it. At the end the simulators'
state is checked: every filer holds each of the 10 shares exactly once, with its directory, comment and ACL
(nothing lost, nothing duplicated, nothing half-configured), and cloud sync is enabled. A benchmark, not a test:
it prints numbers and exits non-zero only when the fleet did not converge or an object was lost or duplicated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_edge_fleet import SHARES, all_stats, ensure_collection_link, run, write_inventory  # noqa: E402
from bench_edge_fleet import Simulators  # noqa: E402  pylint: disable=wrong-import-position

STATUSES = (502, 503, 504)


def fault_plan(index, rate):
    return {"errors": [{"rate": rate, "seed": index, "status": STATUSES[index % len(STATUSES)]}]}


def set_faults(sims, rate):
    for index, edge in enumerate(sims.info["edges"]):
        sims.faults(edge, fault_plan(index, rate) if rate else {})


def check_fleet(sims):
    """(lost, duplicated, half-configured, sync not enabled) over every filer, read from the simulators."""
    lost = duplicated = half = sync_off = 0
    wanted = dict((s["name"], s) for s in SHARES)
    for edge in sims.info["edges"]:
        state = sims.state(edge)
        shares = state["config"]["fileservices"]["share"]
        for name, spec in wanted.items():
            found = [s for s in shares if s["name"] == name]
            if not found:
                lost += 1
                continue
            duplicated += len(found) - 1
            share = found[0]
            volume, _sep, directory = spec["directory"].partition("/")
            acl = share.get("acl") or []
            if (share["volume"], share["directory"], share["comment"]) != (volume, directory, spec["comment"]) or \
                    len(acl) != len(spec["acl"]):
                half += 1
        if state["config"]["cloudsync"]["mode"] != "enabled":
            sync_off += 1
    return lost, duplicated, half, sync_off


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--filers", type=int, default=300)
    parser.add_argument("--rate", type=float, default=0.01, help="share of requests answered with an error")
    parser.add_argument("--forks", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3,
                        help="at most this many playbook runs with the faults on (fewer when every filer completed)")
    args = parser.parse_args(argv)
    ensure_collection_link()
    state = tempfile.mkdtemp(prefix="bench-soak-%d-" % args.filers)
    print("soak: %d filers, %.1f%% transient errors (502/503/504) on every method, forks %d"
          % (args.filers, args.rate * 100, args.forks))
    print("%-4s %8s %10s %9s %10s %9s %8s" % ("run", "wall_s", "completed", "requests", "injected", "retried", "failed"))
    with Simulators(state, edges=args.filers, timeout=60) as sims:
        inventory = os.path.join(state, "inventory.yml")
        write_inventory(inventory, sims.info["edges"])
        set_faults(sims, args.rate)
        total_wall = 0.0
        completed = 0
        for number in range(1, args.runs + 1):
            before = all_stats(sims)
            proc, wall, recap = run(inventory, args.forks)
            after = all_stats(sims)
            total_wall += wall
            requests = sum(a["total_requests"] - b["total_requests"] for a, b in zip(after, before))
            injected = sum(a["faults_injected"].get("error", 0) - b["faults_injected"].get("error", 0)
                           for a, b in zip(after, before))
            failed_hosts = sum(1 for r in recap.values() if r[2] or r[3])
            completed = sum(1 for r in recap.values() if not (r[2] or r[3]))
            # Every injected error is either retried or ends a task (or a loop item) with an error.
            ended = len([line for line in proc.stdout.splitlines() if line.startswith(("failed: [", "fatal: ["))])
            retried = injected - ended
            print("%-4d %8.1f %6d/%-4d %9d %10d %9d %8d"
                  % (number, wall, completed, args.filers, requests, injected, retried, failed_hosts))
            sys.stdout.flush()
            if completed == args.filers:
                break
        set_faults(sims, 0)
        lost, duplicated, half, sync_off = check_fleet(sims)
    print("after %d run(s): %d/%d filers completed, %.1f s in all; shares lost %d, duplicated %d, half-configured %d; "
          "sync not enabled on %d" % (number, completed, args.filers, total_wall, lost, duplicated, half, sync_off))
    return 0 if (completed == args.filers and not (lost or duplicated or half or sync_off)) else 1


if __name__ == "__main__":
    sys.exit(main())
