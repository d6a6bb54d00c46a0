# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Molecule verifier: read the onboarded offices back with the official CTERA SDK and the Cloutility simulator's
own state, and compare them with the demo inventory.  verify_office.py READY_JSON GROUP_VARS_DIR"""

import json
import os
import ssl
import sys
import urllib.parse
import urllib.request

import aiohttp.connector
import yaml

import cterasdk
from cterasdk import Edge
from cterasdk.core.types import GroupAccount
from cterasdk.exceptions.base import CTERAException

OFFICES = {"stockholm": ["edge-001", "edge-002"], "oslo": ["edge-003", "edge-004"]}


def address(url):
    parts = urllib.parse.urlsplit(url)
    return parts.hostname, parts.port


def main(ready_path, group_vars_dir):
    with open(ready_path, encoding="utf-8") as handle:
        ready = json.load(handle)
    # cterasdk verifies TLS with aiohttp's default context; trust the simulators' CA there (verification stays on).
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=ready["portal"]["ca_path"])  # pylint: disable=protected-access
    problems = []
    portal = cterasdk.GlobalAdmin(*address(ready["portal"]["url"]))
    portal.login(ready["portal"]["username"], ready["portal"]["password"])
    edges = {e["name"]: e for e in ready["edges"]}
    clou = ready["cloutility"]
    context = ssl.create_default_context(cafile=clou["ca_path"])
    with urllib.request.urlopen(clou["url"] + "/_sim/state", context=context, timeout=30) as response:
        clou_state = json.load(response)
    try:
        for office, filers in OFFICES.items():
            with open(os.path.join(group_vars_dir, office + ".yml"), encoding="utf-8") as handle:
                wanted = yaml.safe_load(handle)
            portal.portals.browse(wanted["office_tenant"])
            users = {u.name for u in portal.users.list_local_users(include=["name"])}
            missing = {u["name"] for u in wanted["office_users"]} - users
            if missing:
                problems.append("%s: portal users missing: %s" % (office, sorted(missing)))
            for group in wanted.get("office_groups", []):
                try:
                    # Members come back as user references (objs/UID/TENANT/PortalUser/NAME) or user objects.
                    members = {m.rsplit("/", 1)[-1] if isinstance(m, str) else m.name
                               for m in portal.groups.get_members(GroupAccount(group["name"]))}
                except CTERAException as error:
                    problems.append("%s: portal group %s cannot be read: %s" % (office, group["name"], error))
                    continue
                if members != set(group["members"]):
                    problems.append("%s: portal group %s has members %s, not %s"
                                    % (office, group["name"], sorted(members), sorted(group["members"])))
            for name in filers:
                edge = Edge(*address(edges[name]["url"]))
                edge.login(edges[name]["username"], edges[name]["password"])
                try:
                    shares = {s.name for s in edge.shares.get()}
                    missing = {s["name"] for s in wanted["office_shares"]} - shares
                    if missing:
                        problems.append("%s: shares missing: %s" % (name, sorted(missing)))
                    if not edge.sync.is_enabled():
                        problems.append("%s: cloud sync is not enabled" % name)
                    if not edge.backup.is_configured():
                        problems.append("%s: cloud backup is not configured" % name)
                finally:
                    edge.logout()
            unit_ids = [int(i) for i, u in clou_state["bunits"].items() if u["name"] == wanted["office_business_unit"].split("/")[-1]]
            consumers = {c["name"]: c for c in clou_state["consumers"].values() if c["bunitId"] in unit_ids}
            for consumer in wanted["office_backup_consumers"]:
                found = consumers.get(consumer["name"])
                node = (found or {}).get("node") or {}
                if not found:
                    problems.append("%s: consumption unit %s missing" % (office, consumer["name"]))
                elif not node.get("tsmNodeId") or node.get("tsmName") != consumer["node"]["node_name"].upper():
                    problems.append("%s: node of %s not activated as %s" % (office, consumer["name"], consumer["node"]["node_name"]))
    finally:
        portal.logout()
    for problem in problems:
        print("FAIL " + problem)
    if not problems:
        print("OK: users, groups, shares, sync, backup and activated nodes of both offices are in place")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
