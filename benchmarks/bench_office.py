#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark the office_onboarding role on the simulators (TLS) and print the numbers.

An office of 200 portal users, 4 Edge Filers with 10 shares each, cloud sync and backup on every filer, and 4
backup consumption units with activated nodes:

1. the role (playbooks/onboard_office.yml): a fresh run and a converged run, wall time (including
   ansible-playbook start-up) and HTTP requests served by the simulators. Target: converged run <= 10 s.
2. the same work written the naive way - one task per object, every module run as its own process with its own
   login (FILEFLEET_OFFICE_IN_PROCESS=0, so no session reuse) - fresh and converged, and the ratio.
3. the role on the same office whose filers come factory-fresh (no administrator, not joined, not connected):
   the device stage first sets each one up (administrator, settings, domain, a local user and group, portal
   connection), then the rest; fresh and converged.

Usage: python benchmarks/bench_office.py [--users 200] [--shares 10] [--skip-baseline] [--skip-factory] [--json]
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
FILERS = ["edge-001", "edge-002", "edge-003", "edge-004"]
DIRECTORIES = ["cloud/projects", "cloud/public", "cloud/shared", "cloud/team", "cloud/departments",
               "cloud/departments/finance", "cloud/departments/sales", "cloud/departments/engineering", "cloud/users",
               "local/archive", "local/scratch", "local/backups"]
NODE = {"operating_system": "Linux", "node_type": "File Server", "domain": "STANDARD",
        "client_option_set": "DEDUP_AND_COMPRESS"}


def office(users, shares):
    return {
        "office_name": "Bench",
        "office_tenant": "acme",
        "office_business_unit": "Company AB/Stockholm Office",
        "office_users": [{"name": "bench%03d" % i, "email": "bench%03d@example.com" % i, "first_name": "Bench",
                          "last_name": "User %d" % i, "password": "Bench-Pw-%d" % i} for i in range(users)],
        "office_shares": [{"name": "share-%02d" % i, "directory": DIRECTORIES[i % len(DIRECTORIES)],
                           "comment": "Bench share %d" % i,
                           "acl": [{"type": "local_group", "name": "Administrators", "permission": "ReadWrite"}]}
                          for i in range(shares)],
        "office_sync": {"state": "enabled"},
        "office_backup": {"state": "enabled", "passphrase": "Bench-Backup-Passphrase"},
        "office_backup_consumers": [{"name": "BENCH-FILER-%d" % (i + 1), "node": dict(NODE, node_name="BENCH-FILER-%d" % (i + 1))}
                                    for i in range(len(FILERS))],
    }


def device(sims):
    """The device stage of a factory-fresh office: setup, settings, domain join, a local user and group, connection
    to the portal as the first office user (whom the leader creates first)."""
    directory = sims.info["directory"]
    return {"setup": True, "hostname": "{{ inventory_hostname }}", "location": "Bench office",
            "timezone": "(GMT+01:00) Amsterdam, Berlin, Stockholm", "ntp_servers": ["0.pool.ntp.org"],
            "domain": {"name": directory["domain"], "username": directory["username"], "password": directory["password"]},
            "local_users": [{"name": "scanner", "password": "Bench-Scanner-Pw"}],
            "local_groups": [{"name": "scanners", "members": [{"type": "local_user", "name": "scanner"}]}],
            "portal": {"user": "bench000", "password": "Bench-Pw-0", "ca_path": sims.info["portal"]["ca_path"]}}


def inventory(sims, data, path):
    hosts = {}
    for edge in sims.info["edges"]:
        hosts[edge["name"]] = {"edge_url": edge["url"], "edge_username": edge["username"],
                               "edge_password": edge["password"]}
    doc = {"all": {"vars": {"ansible_connection": "local"},
                   "children": {"offices": {"children": {"bench": {"hosts": hosts, "vars": data}}}}}}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(doc, handle)
    return path


def naive_playbook(data, path):
    """One task per object, connection options given to every task (each module process logs in by itself)."""
    lines = ["---", "- name: Office-wide work, one task per object", "  hosts: edge-001", "  gather_facts: false",
             "  tasks:"]
    for i, user in enumerate(data["office_users"]):
        lines += ["    - name: User %d" % i, "      filefleet.office.ctera_user:", "        tenant: acme"]
        lines += ["        %s: %s" % (k, json.dumps(v)) for k, v in user.items()]
    for consumer in data["office_backup_consumers"]:
        lines += ["    - name: Consumer %s" % consumer["name"], "      filefleet.office.cloutility_consumer:",
                  "        business_unit: %s" % json.dumps(data["office_business_unit"]),
                  "        name: %s" % consumer["name"]]
    for consumer in data["office_backup_consumers"]:
        lines += ["    - name: Node %s" % consumer["name"], "      filefleet.office.backup_node:",
                  "        business_unit: %s" % json.dumps(data["office_business_unit"]),
                  "        consumer: %s" % consumer["name"], "        state: activated"]
        lines += ["        %s: %s" % (k, json.dumps(v)) for k, v in consumer["node"].items()]
    lines += ["- name: Filer work, one task per object", "  hosts: offices", "  gather_facts: false",
              "  module_defaults:", "    group/filefleet.office.ctera_edge:", "      edge_url: '{{ edge_url }}'",
              "      edge_username: '{{ edge_username }}'", "      edge_password: '{{ edge_password }}'", "  tasks:"]
    for share in data["office_shares"]:
        lines += ["    - name: Share %s" % share["name"], "      filefleet.office.ctera_share:"]
        lines += ["        %s: %s" % (k, json.dumps(v)) for k, v in share.items()]
    lines += ["    - name: Sync", "      filefleet.office.edge_sync:", "        state: enabled",
              "    - name: Backup", "      filefleet.office.edge_backup:", "        state: enabled",
              "        passphrase: %s" % json.dumps(data["office_backup"]["passphrase"])]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def total_requests(sims):
    entries = [sims.info["portal"], sims.info["cloutility"]] + sims.info["edges"]
    return sum(sims.stats(entry)["total_requests"] for entry in entries)


def logins(sims):
    entries = [sims.info["portal"], sims.info["cloutility"]] + sims.info["edges"]
    return sum(sims.stats(entry)["logins"] for entry in entries)


def run(sims, playbook, inv, extra_env=None):
    portal, clou = sims.info["portal"], sims.info["cloutility"]
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, "build", "collections"), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCALHOST_WARNING": "false",
        "CTERA_PORTAL_URL": portal["url"], "CTERA_PORTAL_USERNAME": portal["username"],
        "CTERA_PORTAL_PASSWORD": portal["password"], "CTERA_CA_PATH": portal["ca_path"],
        "CLOUTILITY_URL": clou["url"], "CLOUTILITY_USERNAME": clou["username"], "CLOUTILITY_PASSWORD": clou["password"],
        "CLOUTILITY_CLIENT_ID": clou["client_id"], "CLOUTILITY_ORIGIN": clou["origin"], "CLOUTILITY_CA_PATH": clou["ca_path"],
        "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
    })
    env.update(extra_env or {})
    requests_before, logins_before = total_requests(sims), logins(sims)
    started = time.time()
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", inv, playbook], capture_output=True, text=True,
                          env=env, cwd=REPO, check=False)
    elapsed = time.time() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit("benchmark playbook failed")
    recap = proc.stdout[proc.stdout.rfind("PLAY RECAP"):]
    changed = sum(int(p.split("=")[1]) for line in recap.splitlines() for p in line.split() if p.startswith("changed="))
    return {"seconds": round(elapsed, 2), "requests": total_requests(sims) - requests_before,
            "logins": logins(sims) - logins_before, "changed": changed}


def measure(users, shares, naive, factory=False):
    data = office(users, shares)
    with tempfile.TemporaryDirectory(prefix="bench-office-") as tmp:
        with Simulators(os.path.join(tmp, "sims"), portal=True, edges=len(FILERS), cloutility=True,
                        edge_factory=True if factory else None) as sims:
            if factory:
                data = dict(data, office_device=device(sims))
                # The bench shares are on the filers' fixed folder list, which they keep once connected to the
                # portal (edge simulator mode cloud_volume; the portal's own folders would need office_cloud).
                for edge in sims.info["edges"]:
                    sims.sim_call(edge, "/_sim/edge", "POST", {"cloud_volume": "fixed"})
            inv = inventory(sims, data, os.path.join(tmp, "inventory.json"))
            if naive:
                playbook = naive_playbook(data, os.path.join(tmp, "naive.yml"))
                extra = {"FILEFLEET_OFFICE_IN_PROCESS": "0"}
            else:
                playbook, extra = os.path.join(REPO, "playbooks", "onboard_office.yml"), {}
            return {"fresh": run(sims, playbook, inv, extra), "converged": run(sims, playbook, inv, extra)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--shares", type=int, default=10)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-factory", action="store_true",
                        help="leave out the factory-fresh office (filers without administrator, device stage)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {"office": {"users": args.users, "filers": len(FILERS), "shares_per_filer": args.shares,
                          "nodes": len(FILERS)},
               "role": measure(args.users, args.shares, naive=False)}
    if not args.skip_factory:
        results["role_factory_fresh"] = measure(args.users, args.shares, naive=False, factory=True)
    if not args.skip_baseline:
        results["one_task_per_object"] = measure(args.users, args.shares, naive=True)
        for phase in ("fresh", "converged"):
            results["ratio_%s" % phase] = round(results["one_task_per_object"][phase]["seconds"]
                                                / results["role"][phase]["seconds"], 1)
    results["target_converged_seconds"] = 10
    results["converged_within_target"] = results["role"]["converged"]["seconds"] <= 10
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    office_desc = results["office"]
    print("Office: %(users)d users, %(filers)d filers x %(shares_per_filer)d shares, sync, backup, %(nodes)d activated nodes"
          % office_desc)
    rows = [("office_onboarding role", results["role"])]
    if "role_factory_fresh" in results:
        rows.append(("role, factory-fresh filers (device stage)", results["role_factory_fresh"]))
    if "one_task_per_object" in results:
        rows.append(("one task per object, no session reuse", results["one_task_per_object"]))
    for label, data in rows:
        for phase in ("fresh", "converged"):
            item = data[phase]
            print("  %-40s %-9s %7.2f s  %6d requests  %4d logins  changed=%d"
                  % (label, phase, item["seconds"], item["requests"], item["logins"], item["changed"]))
    if "ratio_fresh" in results:
        print("  ratio (naive / role): fresh %.1fx, converged %.1fx" % (results["ratio_fresh"], results["ratio_converged"]))
    print("  converged run target <= 10 s: %s" % ("met" if results["converged_within_target"] else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
