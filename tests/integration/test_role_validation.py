# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""office_onboarding refuses bad input before its first write (roles/office_onboarding/tasks/validate.yml).

One playbook run holds every case: each case is an office of its own (one inventory group, one or two filers)
whose variables break one rule. Every filer of every case must fail with a message naming the variable and what
is allowed, and the state of every simulator (portal, filers, Cloutility) must be what it was before the run.
"""

import json

import yaml

from integration_support import run_playbook
from office_helpers import PLAYBOOKS, credentials_env, start_fleet
from reliability_log import record

import pytest

ONBOARD = PLAYBOOKS + "/onboard_office.yml"
NODE = {"operating_system": "Linux", "node_type": "File Server", "domain": "STANDARD",
        "client_option_set": "DEDUP_AND_COMPRESS"}
USER = {"email": "u@acme.example", "first_name": "U", "last_name": "Ser", "password": "Case-Passw0rd-1"}

# case -> (office variables, {host: substrings its failure message must hold}); hosts are numbered per case.
CASES = {
    "users listed twice, differing in case": (
        {"office_users": [dict(USER, name="anna.berg"), dict(USER, name="Anna.Berg")]},
        ['office_users lists "anna.berg", "Anna.Berg" more than once', "case-insensitively", "Nothing was written"]),
    "groups listed twice, differing in case": (
        {"office_groups": [{"name": "staff"}, {"name": "STAFF", "description": "x"}]},
        ['office_groups lists "staff", "STAFF" more than once']),
    "office share listed twice, differing in case": (
        {"office_shares": [{"name": "Docs", "directory": "cloud/docs"}, {"name": "docs", "directory": "cloud/d2"}]},
        ['office_shares lists "Docs", "docs" more than once', "as the Edge Filer compares them"]),
    "filer share listed twice": (
        {"filer_shares": [{"name": "scans", "directory": "cloud/scans"}, {"name": "SCANS", "directory": "cloud/s"}]},
        ['filer_shares lists "scans", "SCANS" more than once']),
    "consumption unit listed twice": (
        {"office_business_unit": "Company AB/Stockholm Office",
         "office_backup_consumers": [{"name": "STO-1"}, {"name": "STO-1", "note": "again"}]},
        ['office_backup_consumers lists "STO-1", "STO-1" more than once', "Cloutility does not keep"]),
    "node name with a space": (
        {"office_business_unit": "Company AB/Stockholm Office",
         "office_backup_consumers": [{"name": "STO-1", "node": dict(NODE, node_name="STO FILER")}]},
        ['node_name "STO FILER" is not a Storage Protect node name', "1 to 64 characters of A-Z a-z 0-9 _ . - + &"]),
    "node name of 65 characters": (
        {"office_business_unit": "Company AB/Stockholm Office",
         "office_backup_consumers": [{"name": "STO-1", "node": dict(NODE, node_name="N" * 65)}]},
        ["is not a Storage Protect node name", "1 to 64 characters"]),
    "bad node name after a good consumption unit and node": (
        {"office_business_unit": "Company AB/Stockholm Office",
         "office_backup_consumers": [{"name": "STO-OK", "node": dict(NODE, node_name="STO-OK")},
                                     {"name": "STO-BAD", "node": dict(NODE, node_name="sto/bad")}]},
        ['node_name "sto/bad" is not a Storage Protect node name']),
    "node name given twice, differing in case": (
        {"office_business_unit": "Company AB/Stockholm Office",
         "office_backup_consumers": [{"name": "STO-1", "node": dict(NODE, node_name="sto-node")},
                                     {"name": "STO-2", "node": dict(NODE, node_name="STO-NODE")}]},
        ['node_name lists "sto-node", "STO-NODE" more than once', "Storage Protect compares node names"]),
    "consumption units without a business unit": (
        {"office_backup_consumers": [{"name": "STO-1"}]},
        ["office_business_unit is required when office_backup_consumers is given"]),
    "blank user name": (
        {"office_users": [dict(USER, name="  ")]},
        ["office_users: every entry needs a non-empty name"]),
    "blank share name": (
        {"office_shares": [{"name": "", "directory": "cloud/x"}]},
        ["office_shares: every entry needs a non-empty name"]),
    "empty office name": (
        {"office_name": " "},
        ["office_name must not be empty"]),
    "group member who is no user": (
        {"office_users": [dict(USER, name="real.user")],
         "office_groups": [{"name": "crew", "members": ["real.user", "Ghost.User"]}]},
        ['office_groups[].members names "Ghost.User", which is neither in office_users nor a user of the portal tenant acme']),
    "office leader of another office": (
        {"office_leader": "case-00-1"},
        ['office_leader "case-00-1" is not a filer of office', "set office_leader to a filer of the office"]),
    "user entry without a name": (
        {"office_users": [{"email": "x@acme.example"}]},
        ["office_users", "name"]),
}


@pytest.fixture()
def fleet(tmp_path):
    sims = start_fleet(str(tmp_path / "sims"))
    yield sims, credentials_env(sims)
    sims.stop()


def _inventory(sims, path):
    """One office per case (group case_NN, office_name "Case NN"), one filer each; plus a two-filer office where
    only the second filer's own filer_shares is bad, and a good office whose filer_shares overrides an office share."""
    edges = sims.info["edges"]
    groups, names = {}, {}

    def filer(index):
        edge = edges[index % len(edges)]
        return {"edge_url": edge["url"], "edge_username": edge["username"], "edge_password": edge["password"]}

    for number, (case, (office_vars, _expected)) in enumerate(sorted(CASES.items())):
        host = "case-%02d-1" % number
        names[case] = [host]
        groups["case_%02d" % number] = {
            "hosts": {host: filer(number % 3)},
            "vars": dict({"office_name": "Case %02d" % number, "office_tenant": "acme"}, **office_vars)}
    bad_filer = dict(filer(0), filer_shares=[{"name": "x", "directory": "cloud/x"}, {"name": "X", "directory": "cloud/y"}])
    groups["two_filers"] = {"hosts": {"two-1": filer(1), "two-2": bad_filer},
                            "vars": {"office_name": "Two", "office_users": [dict(USER, name="two.user")]}}
    groups["good"] = {"hosts": {"good-1": dict(filer(3), filer_shares=[{"name": "TEAM", "directory": "cloud/shared"}])},
                      "vars": {"office_name": "Good",
                               "office_shares": [{"name": "team", "directory": "cloud/team"},
                                                 {"name": "public", "directory": "cloud/public"}]}}
    inventory = {"all": {"vars": {"ansible_connection": "local",
                                  "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                         "children": {"offices": {"children": groups}}}}
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(inventory, handle)
    return names


def _world(sims, edges):
    entries = [sims.info["portal"], sims.info["cloutility"]] + [sims.info["edges"][i] for i in edges]
    return [json.dumps(sims.state(entry), sort_keys=True) for entry in entries]


def _messages(run):
    return dict((r["host"], r["result"].get("msg") or "") for r in run.tasks if r["status"] == "failed")


def test_bad_input_is_refused_before_any_write(fleet, tmp_path):
    sims, env = fleet
    names = _inventory(sims, str(tmp_path / "cases.yml"))
    before = _world(sims, edges=(0, 1, 2))
    shares_before = sims.state(sims.info["edges"][3])["config"]["fileservices"]["share"]

    run = run_playbook(ONBOARD, inventory=str(tmp_path / "cases.yml"), env=env)
    messages = _messages(run)
    after = _world(sims, edges=(0, 1, 2))
    writes = sum(1 for old, new in zip(before, after) if old != new)

    for case, (_office_vars, expected) in sorted(CASES.items()):
        for host in names[case]:
            message = messages.get(host, "")
            missing = [text for text in expected if text not in message]
            record("bad_input", case, "role:office_onboarding", "refused" if not missing and not writes else "FAILED",
                   writes=writes, detail=message)
            assert not missing, (case, host, message)
    assert 'filer_shares lists "x", "X" more than once' in messages["two-2"]
    assert "Input of office Two was refused on two-2" in messages["two-1"], messages.get("two-1")
    record("bad_input", "one filer of an office refused: the office's other filers write nothing",
           "role:office_onboarding", "refused" if not writes else "FAILED", writes=writes, detail=messages["two-1"])
    assert after == before, "a refused office wrote something"
    assert run.rc != 0

    # The good office went on: its filer_shares entry TEAM replaced the office entry team (allowed, not a duplicate).
    assert "good-1" not in messages, [(i.get("item", {}).get("name"), i.get("msg")) for r in run.tasks
                                      if r["host"] == "good-1" and r["status"] == "failed" for i in r["result"].get("results", [])]
    shares = dict((s["name"], s) for s in sims.state(sims.info["edges"][3])["config"]["fileservices"]["share"])
    assert sorted(shares) == sorted([s["name"] for s in shares_before] + ["TEAM", "public"])
    assert shares["TEAM"]["directory"] == "shared"
