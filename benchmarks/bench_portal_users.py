#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark ctera_user against the Portal simulator (TLS) and print the numbers.

1. A play that loops ctera_user over N already-converged users (default 200): wall time including
   ansible-playbook start-up, logins per task and reads per user (from the simulator's request counters).
   Target: <= 3 s, one login per task, at most one read per user.
2. Creating M users (default 1000) through the module versus a plain cterasdk script doing the same, each from
   the same emptied tenant: one task with ``users:`` (bulk) and a loop of M items; prints the ratios to the SDK
   (target <= 1.0).

Usage: python benchmarks/bench_portal_users.py [--users 200] [--create 1000] [--json]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))

from simulators.harness import Simulators  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
PLAY = """
- name: Users
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/filefleet.office.ctera_portal:
      tenant: acme
  tasks:
    - name: Users exist
      filefleet.office.ctera_user:
        name: "{{ prefix }}{{ item }}"
        email: "{{ prefix }}{{ item }}@example.com"
        first_name: Bench
        last_name: "User {{ item }}"
        password: "Pw-bench-{{ item }}"
        role: EndUser
      loop: "{{ range(0, count | int) | list }}"
"""

BULK_PLAY = """
- name: Users in one task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Users exist
      filefleet.office.ctera_user:
        tenant: acme
        users: "{{ office_users }}"
"""

SDK_SCRIPT = """
import sys, aiohttp.connector, cterasdk
url, user, password, ca, prefix, count = sys.argv[1:7]
aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=ca)
host, port = url.split("://")[1].rsplit(":", 1)
admin = cterasdk.GlobalAdmin(host, int(port))
admin.login(user, password)
admin.portals.browse("acme")
for i in range(int(count)):
    name = "%s%d" % (prefix, i)
    admin.users.add(name, name + "@example.com", "Bench", "User %d" % i, "Pw-bench-%d" % i, "EndUser")
admin.logout()
"""


def ansible_env(portal):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, "build", "collections"),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "CTERA_PORTAL_URL": portal["url"], "CTERA_PORTAL_USERNAME": portal["username"],
        "CTERA_PORTAL_PASSWORD": portal["password"], "CTERA_CA_PATH": portal["ca_path"],
        "PATH": BIN + os.pathsep + env.get("PATH", ""),
    })
    return env


def run_play(workdir, portal, prefix, count, extra_env=None):
    play = os.path.join(workdir, "users.yml")
    with open(play, "w") as handle:
        handle.write(PLAY)
    env = ansible_env(portal)
    env.update(extra_env or {})
    start = time.perf_counter()
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", play,
                           "-e", "prefix=%s count=%d ansible_python_interpreter=%s" % (prefix, count, sys.executable)],
                          capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("play failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
    return elapsed, proc.stdout


def run_bulk(workdir, portal, prefix, count):
    play = os.path.join(workdir, "bulk.yml")
    with open(play, "w") as handle:
        handle.write(BULK_PLAY)
    users = [{"name": "%s%d" % (prefix, i), "email": "%s%d@example.com" % (prefix, i), "first_name": "Bench",
              "last_name": "User %d" % i, "password": "Pw-bench-%d" % i, "role": "EndUser"} for i in range(count)]
    varfile = os.path.join(workdir, "users.json")
    with open(varfile, "w") as handle:
        json.dump({"office_users": users, "ansible_python_interpreter": sys.executable}, handle)
    start = time.perf_counter()
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", play, "-e", "@" + varfile],
                          capture_output=True, text=True, env=ansible_env(portal), check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("bulk play failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
    return elapsed


def delta(before, after):
    keys = set(before["requests"]) | set(after["requests"])
    requests = dict((k, after["requests"].get(k, 0) - before["requests"].get(k, 0)) for k in keys)
    return {"logins": after["logins"] - before["logins"], "requests": dict((k, v) for k, v in requests.items() if v)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--create", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        with Simulators(os.path.join(workdir, "sim"), portal=True) as sims:
            portal = sims.info["portal"]
            # 1. converged loop
            run_play(workdir, portal, "conv", args.users)
            before = sims.stats(portal)
            elapsed, out = run_play(workdir, portal, "conv", args.users)
            after = sims.stats(portal)
            d = delta(before, after)
            reads = sum(v for k, v in d["requests"].items() if k.startswith("GET /admin/api/users/"))
            results["converged_loop"] = {
                "users": args.users, "wall_s": round(elapsed, 2), "logins": d["logins"],
                "user_reads": reads, "reads_per_user": round(reads / float(args.users), 2),
                "total_requests": sum(d["requests"].values()), "changed": "changed=0" not in out,
            }
            # 2. creating users: module vs cterasdk, each into the same starting state (an emptied portal)
            sims.reset(portal)
            before = sims.stats(portal)
            module_s, _out = run_play(workdir, portal, "mod", args.create)
            module_stats = delta(before, sims.stats(portal))
            script = os.path.join(workdir, "sdk.py")
            with open(script, "w") as handle:
                handle.write(SDK_SCRIPT)
            sims.reset(portal)
            before = sims.stats(portal)
            bulk_s = run_bulk(workdir, portal, "blk", args.create)
            bulk_stats = delta(before, sims.stats(portal))
            sims.reset(portal)
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, script, portal["url"], portal["username"], portal["password"],
                                   portal["ca_path"], "sdk", str(args.create)], capture_output=True, text=True, check=False)
            sdk_s = time.perf_counter() - start
            if proc.returncode != 0:
                raise SystemExit("SDK script failed: " + proc.stderr[-3000:])
            results["create"] = {
                "users": args.create, "module_wall_s": round(module_s, 2), "sdk_wall_s": round(sdk_s, 2),
                "ratio_module_to_sdk": round(module_s / sdk_s, 2), "module_logins": module_stats["logins"],
                "module_requests": sum(module_stats["requests"].values()),
                "bulk_wall_s": round(bulk_s, 2), "ratio_bulk_to_sdk": round(bulk_s / sdk_s, 2),
                "bulk_logins": bulk_stats["logins"], "bulk_requests": sum(bulk_stats["requests"].values()),
            }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    conv = results["converged_loop"]
    print("ctera_user converged loop over %d users: %.2f s wall (incl. ansible-playbook start-up), %d login(s), "
          "%.2f reads per user, %d requests in all (target: <= 3 s, 1 login, <= 1 read per user)"
          % (conv["users"], conv["wall_s"], conv["logins"], conv["reads_per_user"], conv["total_requests"]))
    create = results["create"]
    print("creating %d users, each run starting from the same empty tenant:" % create["users"])
    print("  cterasdk script (users.add in a loop)      %6.2f s" % create["sdk_wall_s"])
    print("  ctera_user, one task with users: (bulk)    %6.2f s  ratio to SDK %.2f (target <= 1.0), %d login(s), "
          "%d requests" % (create["bulk_wall_s"], create["ratio_bulk_to_sdk"], create["bulk_logins"], create["bulk_requests"]))
    print("  ctera_user looped over %d items           %6.2f s  ratio to SDK %.2f, %d login(s), %d requests"
          % (create["users"], create["module_wall_s"], create["ratio_module_to_sdk"], create["module_logins"],
             create["module_requests"]))


if __name__ == "__main__":
    main()
