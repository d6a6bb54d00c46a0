#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make demo``: onboard two offices against simulated systems, show that a second run changes nothing, write a
fleet report, and clean up. Run through ``make demo`` (which creates .venv and the collection link first).

``--output DIR`` writes the report and the filers' inventory there instead of demo-output/; ``--state-file FILE``
writes the simulators' own state (GET /_sim/state of the portal, each filer and Cloutility) to FILE before they
stop, so a test can check the demo through an independent reader.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# anna.berg's password in inventories/demo/group_vars/stockholm.yml: the Stockholm filers connect as her.
DEMO_CONNECT_PASSWORD = "Demo-Passw0rd-1"
# ola.hansen's password in inventories/demo/group_vars/oslo.yml: the Oslo filers connect as him.
OSLO_CONNECT_PASSWORD = "Demo-Passw0rd-4"
REPO = os.path.dirname(HERE)
OUTPUT = os.path.join(REPO, "demo-output")
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, os.path.join(REPO, "tests"))

from simulators.harness import Simulators  # noqa: E402  pylint: disable=wrong-import-position


def say(text=""):
    print(text, flush=True)


def step(number, text):
    say()
    say("=" * 100)
    say("Step %d. %s" % (number, text))
    say("=" * 100)


def write_filer_inventory(info, path):
    """The filers' URLs and passwords, and the secrets the device stages use, as another inventory source
    (in real life: a vault-encrypted group_vars file, or the portal for the filers)."""
    lines = ["---", "# Written by playbooks/demo.py: connection details of the simulated filers, and the secrets that",
             "# inventories/demo-device/stockholm.yml and oslo.yml name (in production: ansible-vault encrypted).",
             "all:",
             "  vars:",
             "    vault_domain_join_password: %s" % json.dumps(info["directory"]["password"]),
             "    vault_portal_connect_password: %s" % json.dumps(DEMO_CONNECT_PASSWORD),
             "    vault_oslo_portal_connect_password: %s" % json.dumps(OSLO_CONNECT_PASSWORD),
             "    vault_scanner_password: %s" % json.dumps("Demo-Scanner-Passw0rd"),
             "  hosts:"]
    for edge in info["edges"]:
        lines += ["    %s:" % edge["name"],
                  "      edge_url: %s" % json.dumps(edge["url"]),
                  "      edge_username: %s" % json.dumps(edge["username"]),
                  "      edge_password: %s" % json.dumps(edge["password"])]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def credentials_env(info):
    """Portal and Cloutility credentials as environment variables, the way an AWX credential injects them."""
    portal, clou = info["portal"], info["cloutility"]
    return {
        "CTERA_PORTAL_URL": portal["url"], "CTERA_PORTAL_USERNAME": portal["username"],
        "CTERA_PORTAL_PASSWORD": portal["password"], "CTERA_CA_PATH": portal["ca_path"],
        "CLOUTILITY_URL": clou["url"], "CLOUTILITY_USERNAME": clou["username"],
        "CLOUTILITY_PASSWORD": clou["password"], "CLOUTILITY_CLIENT_ID": clou["client_id"],
        "CLOUTILITY_ORIGIN": clou["origin"], "CLOUTILITY_CA_PATH": clou["ca_path"],
    }


def run_playbook(playbook, inventories, env, extra=()):
    cmd = [os.path.join(BIN, "ansible-playbook")]
    for inventory in inventories:
        cmd += ["-i", inventory]
    cmd += [os.path.join(HERE, playbook)] + list(extra)
    say("$ ansible-playbook %s" % " ".join(os.path.relpath(c, REPO) if c.startswith(REPO) else c for c in cmd[1:]))
    started = time.time()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.time() - started
    recap = proc.stdout[proc.stdout.rfind("PLAY RECAP"):] if "PLAY RECAP" in proc.stdout else proc.stdout[-3000:]
    say(recap.rstrip())
    if proc.returncode != 0:
        say(proc.stdout[-6000:])
        say(proc.stderr[-3000:])
        raise SystemExit("The playbook failed (exit code %d); the output above says why." % proc.returncode)
    changed = sum(int(part.split("=")[1]) for line in recap.splitlines() for part in line.split() if part.startswith("changed="))
    return changed, elapsed


def show_cloud_folders(report_path):
    """Each filer's cloud folders as the fleet report lists them."""
    with open(report_path, encoding="utf-8") as handle:
        report = json.load(handle)
    say("Cloud folders each filer shows (from the report):")
    for office in report["offices"]:
        for filer in office["filers"]:
            folders = ", ".join("%s/%s" % (f["owner"], f["name"]) for f in filer.get("cloud_folders") or []) or "none"
            say("  %-10s %-9s %s" % (office["name"], filer["name"], folders))


def save_state(sims, path):
    """The simulators' own state (``GET /_sim/state``), for a test that checks the demo independently."""
    info = sims.info
    state = {"portal_url": info["portal"]["url"], "portal": sims.state(info["portal"]),
             "cloutility": sims.state(info["cloutility"]),
             "edges": dict((edge["name"], sims.state(edge)) for edge in info["edges"])}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(state, handle)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Onboard two simulated offices, rerun, write a fleet report.")
    parser.add_argument("--output", default=OUTPUT, help="directory of the report and the filers' inventory")
    parser.add_argument("--state-file", help="write the simulators' final state (JSON) here before they stop")
    args = parser.parse_args(argv)
    output = os.path.abspath(args.output)
    say("filefleet.office demo")
    say("This demo onboards two offices, Stockholm and Oslo, each with two CTERA Edge Filers. The Stockholm filers come")
    say("factory-fresh and are brought to production first (administrator, settings, domain, portal connection); the")
    say("Oslo filers are in production but connected to another portal, and are moved to the demo's. It creates the")
    say("offices' users and groups on the CTERA Portal, each office's own cloud folders and a zone that gives them to")
    say("its filers only, their shares on those folders, cloud sync and cloud backup on the filers, and their backup")
    say("consumption units and activated nodes in Cloutility (IBM Storage Protect). No real systems are touched: the")
    say("portal, the filers and Cloutility are simulators that speak the real APIs, started on this machine for the demo.")
    os.makedirs(output, exist_ok=True)
    state_dir = tempfile.mkdtemp(prefix="filefleet-demo-")
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO, "build", "collections"))
    env.update({"ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "false", "ANSIBLE_LOCALHOST_WARNING": "false",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false", "PATH": BIN + os.pathsep + env.get("PATH", "")})

    step(1, "Start the simulators: one CTERA Portal, four Edge Filers (two per office) and Cloutility")
    # The two Stockholm filers come factory-fresh: no administrator, not joined, not connected to the portal. The
    # two Oslo filers start set up and connected to portal.filefleet.test, a portal outside the demo.
    sims = Simulators(state_dir, portal=True, edges=4, cloutility=True, extra_args=["--edge-tenants", "acme,globex"],
                      edge_factory=2)
    sims.start()
    changed_again = None
    try:
        info = sims.info
        say("CTERA Portal:  %s (tenants acme for Stockholm, globex for Oslo)" % info["portal"]["url"])
        for edge in info["edges"]:
            if edge.get("factory"):
                say("Edge Filer:    %s %s (factory-fresh: no administrator yet, not on the portal)" % (edge["name"], edge["url"]))
            else:
                say("Edge Filer:    %s %s (in production, connected to another portal: portal.filefleet.test)" % (
                    edge["name"], edge["url"]))
        say("Cloutility:    %s (business units Company AB/Stockholm Office and Company AB/Oslo Office)" % info["cloutility"]["url"])
        filers = os.path.join(output, "inventory-filers.yml")
        write_filer_inventory(info, filers)
        env.update(credentials_env(info))
        inventories = [os.path.join(REPO, "inventories", "demo", "hosts.yml"),
                       os.path.join(REPO, "inventories", "demo-device", "stockholm.yml"),
                       os.path.join(REPO, "inventories", "demo-device", "oslo.yml"), filers]
        say("The offices are described in inventories/demo/ (hosts.yml and group_vars/), their filers as devices with")
        say("their own cloud folders in inventories/demo-device/stockholm.yml and oslo.yml. Portal and Cloutility")
        say("credentials are passed as environment variables, as an AWX credential would; the filers' passwords are in")
        say("%s." % (os.path.relpath(filers, REPO) if filers.startswith(REPO + os.sep) else filers))

        step(2, "Onboard both offices (playbooks/onboard_office.yml)")
        changed, elapsed = run_playbook("onboard_office.yml", inventories, env)
        say("First run: %d changes in %.1f s - the Stockholm filers were set up, named, joined to the domain and connected" % (changed, elapsed))
        say("to the portal, the Oslo filers moved to it; each office got its cloud folders and zone; users, groups,")
        say("shares, sync, backup and backup nodes were created.")

        step(3, "Run the same playbook again: everything is already as described, so nothing changes")
        changed_again, elapsed = run_playbook("onboard_office.yml", inventories, env)
        verdict = (" - idempotent, as it should be." if changed_again == 0 else
                   " - UNEXPECTED: a converged run should change nothing.")
        say("Second run: changed=%d in %.1f s%s" % (changed_again, elapsed, verdict))

        step(4, "Write the fleet report (playbooks/fleet_report.yml, read-only)")
        run_playbook("fleet_report.yml", inventories, env, extra=["-e", "fleet_report_dir=%s" % output])
        say()
        show_cloud_folders(os.path.join(output, "fleet-report.json"))
        say()
        say("The fleet report is ready:")
        say("  HTML (open it in a browser): %s" % os.path.join(output, "fleet-report.html"))
        say("  JSON (for other tools):      %s" % os.path.join(output, "fleet-report.json"))
    finally:
        if args.state_file:
            save_state(sims, args.state_file)
        step(5, "Stop the simulators")
        sims.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
        say("Simulators stopped; their state was in a temporary directory and is removed.")
    say()
    say("Next: read inventories/demo/group_vars/ and inventories/demo-device/ to see how an office is described, and")
    say("docs/awx.md to run the same playbooks from AWX.")
    return 1 if changed_again else 0


if __name__ == "__main__":
    sys.exit(main())
