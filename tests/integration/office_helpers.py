# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the role, report, runner and molecule tests: a two-office fleet on fresh simulators, and readers of
the simulators' own state (GET /_sim/state), independent of the collection's code."""

import json
import os

from simulators.harness import Simulators

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_INVENTORY = os.path.join(REPO, "inventories", "demo", "hosts.yml")
PLAYBOOKS = os.path.join(REPO, "playbooks")
OFFICES = {"Stockholm": {"tenant": "acme", "unit": "Stockholm Office", "filers": ["edge-001", "edge-002"]},
           "Oslo": {"tenant": "globex", "unit": "Oslo Office", "filers": ["edge-003", "edge-004"]}}


def start_fleet(state_dir):
    """Fresh simulators for the demo inventory: a portal, four filers (two per tenant) and Cloutility."""
    sims = Simulators(state_dir, portal=True, edges=4, cloutility=True, extra_args=["--edge-tenants", "acme,globex"])
    sims.start()
    return sims


def filer_inventory(sims, path):
    hosts = {}
    for edge in sims.info["edges"]:
        hosts[edge["name"]] = {"edge_url": edge["url"], "edge_username": edge["username"], "edge_password": edge["password"]}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"all": {"hosts": hosts}}, handle)
    return path


def credentials_env(sims):
    portal, clou = sims.info["portal"], sims.info["cloutility"]
    return {
        "CTERA_PORTAL_URL": portal["url"], "CTERA_PORTAL_USERNAME": portal["username"],
        "CTERA_PORTAL_PASSWORD": portal["password"], "CTERA_CA_PATH": portal["ca_path"],
        "CLOUTILITY_URL": clou["url"], "CLOUTILITY_USERNAME": clou["username"],
        "CLOUTILITY_PASSWORD": clou["password"], "CLOUTILITY_CLIENT_ID": clou["client_id"],
        "CLOUTILITY_ORIGIN": clou["origin"], "CLOUTILITY_CA_PATH": clou["ca_path"],
    }


def edge_entry(sims, name):
    return [e for e in sims.info["edges"] if e["name"] == name][0]


def portal_users(sims, tenant):
    return sorted(sims.state(sims.info["portal"])["tenants"][tenant]["users"])


def portal_groups(sims, tenant):
    """Local groups of a tenant: name -> {description, members (user names, sorted)}."""
    tenant_state = sims.state(sims.info["portal"])["tenants"][tenant]
    names = dict((user["uid"], name) for name, user in tenant_state["users"].items())
    return dict((name, {"description": group.get("description"),
                        "members": sorted(names.get(uid, "uid:%s" % uid) for uid in group["members"])})
                for name, group in tenant_state["groups"].items())


def filer_state(sims, name):
    state = sims.state(edge_entry(sims, name))
    return {
        "shares": sorted(s["name"] for s in state["config"]["fileservices"]["share"]),
        "share_objects": {s["name"]: s for s in state["config"]["fileservices"]["share"]},
        "sync": state["config"]["cloudsync"]["mode"],
        "backup_attached": bool(state["backup"].get("attached")),
        "backup_run": state["backup"].get("run"),
    }


def cloutility_units(sims, unit_name):
    """Consumption units of a business unit (by name) with their node names and activation."""
    state = sims.state(sims.info["cloutility"])
    unit_ids = [int(bid) for bid, unit in state["bunits"].items() if unit["name"] == unit_name]
    found = {}
    for consumer in state["consumers"].values():
        if consumer["bunitId"] in unit_ids:
            node = consumer.get("node") or {}
            found[consumer["name"]] = {"node": bool(node), "activated": bool(node.get("tsmNodeId")),
                                       "node_name": node.get("tsmName")}
    return found


def fleet_snapshot(sims):
    """Everything the onboarding role manages, read from the simulators."""
    snap = {}
    for office, spec in OFFICES.items():
        snap[office] = {
            "users": portal_users(sims, spec["tenant"]),
            "groups": portal_groups(sims, spec["tenant"]),
            "filers": {name: {k: v for k, v in filer_state(sims, name).items() if k != "share_objects"}
                       for name in spec["filers"]},
            "units": cloutility_units(sims, spec["unit"]),
        }
    return snap


def office_vars(office):
    """The demo inventory's group variables of an office (the expected state)."""
    import yaml  # pylint: disable=import-outside-toplevel
    path = os.path.join(REPO, "inventories", "demo", "group_vars", office.lower() + ".yml")
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)
