#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: backup_node
short_description: Manage the IBM Storage Protect backup node of a Cloutility consumption unit
version_added: 0.1.0
description:
  - Creates, changes, activates and deletes the backup node of a Cloutility consumption unit, and the node's
    proxy relations (proxy agents and proxy targets).
  - Only the options you give are managed. An option you leave out is never changed on an existing node.
  - Names of operating systems, node types, policy domains and client option sets are resolved to ids at run
    time; a name that is unknown or ambiguous is an error that lists what exists.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.cloutility
attributes:
  check_mode:
    support: full
    description:
      - Reads the node and reports exactly what a real run would change, writing nothing.
      - When the consumption unit does not exist yet (because an earlier task would create it), check mode
        predicts the node's creation and warns.
  diff_mode:
    support: full
    description: Shows the changed fields before and after; the node password never appears.
options:
  business_unit:
    description:
      - Business unit of the consumption unit, by id or by the path of names from the API user's top business
        unit, for example V(Company AB/Marketing Department) (see M(filefleet.office.cloutility_consumer)).
    type: raw
    required: true
  consumer:
    description:
      - The consumption unit the node belongs to, by id or by name (compared exactly). A name that several
        consumption units of the business unit share is an error that lists their ids.
      - A string made only of digits is taken as an id.
      - The consumption unit must exist; create it with M(filefleet.office.cloutility_consumer).
    type: raw
    required: true
  operating_system:
    description: Operating system of the node, by name (for example V(Linux), case-insensitive) or id. Required to create a node.
    type: raw
  node_type:
    description:
      - Node type, by name (for example V(File Server), case-insensitive) or id. Required to create a node.
      - The type must be supported by the operating system.
    type: raw
  domain:
    description: Policy domain on the business unit's backup server, by name (for example V(STANDARD)) or id. Required to create a node.
    type: raw
  client_option_set:
    description:
      - Client option set on the business unit's backup server, by name (for example V(DEDUP_AND_COMPRESS)) or id.
        Required to create a node (Cloutility offers an option set named V(None)).
    type: raw
  cpu_count:
    description: Number of processors (licensing information).
    type: int
  contact:
    description: Contact information. An empty string clears it.
    type: str
  proxy_agents:
    description:
      - Consumption units whose nodes may act as proxy agents of this node (restore its data, for example),
        by name (in O(business_unit)) or id. Compared as a set; the list replaces the current agents.
      - Proxy relations need activated nodes on both sides, so they require O(state=activated) unless the
        node is activated already.
    type: list
    elements: raw
  proxy_targets:
    description:
      - Consumption units whose nodes this node may act for as a proxy agent, by name (in O(business_unit)) or id.
        Compared as a set; the list replaces the current targets. Same conditions as O(proxy_agents).
    type: list
    elements: raw
  state:
    description:
      - V(present) makes the node exist with the given settings (it is not activated, and an activated node stays activated).
      - V(activated) also registers the node on the IBM Storage Protect server as O(node_name). A node activated
        under another name is an error; renaming is not possible through the API.
      - V(absent) deletes the node. B(This also deletes the consumption unit), as Cloutility does; on the
        IBM Storage Protect server the node is handled by the business unit's node deletion rule.
    type: str
    choices: [present, activated, absent]
    default: present
  node_name:
    description:
      - Name of the node on the IBM Storage Protect server, required with O(state=activated).
      - 1 to 64 characters of C(A-Z a-z 0-9 _ . - + &). Storage Protect folds names to upper case, so the
        comparison ignores case and the returned name is upper case.
    type: str
  return_password:
    description:
      - Return the node's Storage Protect password (as set at activation) in RV(node.tsm_password).
      - The whole task result is then marked no_log, so it is hidden from the output; use the registered variable.
      - The stored password goes stale once the client changes it (C(PASSWORDACCESS GENERATE)).
    type: bool
    default: false
  delete_associations:
    description: With O(state=absent), also delete the node's schedule associations on the Storage Protect server.
    type: bool
    default: true
  deletion_comment:
    description: With O(state=absent), a comment recorded in the audit log of the deletion.
    type: str
  wait_timeout:
    description: Seconds to wait for an activation or a deletion to show in Cloutility.
    type: int
    default: 300
notes:
  - Activation and creation are never retried automatically; a failed activation (for example a node name
    already registered on the Storage Protect server) is reported with the server's message.
seealso:
  - module: filefleet.office.cloutility_consumer
  - module: filefleet.office.backup_node_info
'''

EXAMPLES = r'''
- name: Lisa's workstation has an activated Windows workstation node
  filefleet.office.backup_node:
    business_unit: Company AB/Marketing Department
    consumer: LisasWS
    operating_system: Windows
    node_type: Workstation
    domain: STANDARD
    client_option_set: DEDUP_AND_COMPRESS
    cpu_count: 4
    contact: lisa@example.com
    state: activated
    node_name: LISASWS

- name: Read the initial node password to configure the backup client
  filefleet.office.backup_node:
    business_unit: Company AB/Marketing Department
    consumer: LisasWS
    state: activated
    node_name: LISASWS
    return_password: true
  register: lisa_node
  no_log: true

- name: The file server may restore Lisa's data
  filefleet.office.backup_node:
    business_unit: 76
    consumer: LisasWS
    proxy_agents: [FS01]

- name: The node and its consumption unit are gone
  filefleet.office.backup_node:
    business_unit: Company AB/Marketing Department
    consumer: LisasWS
    state: absent
    deletion_comment: Laptop returned
'''

RETURN = r'''
node:
  description: The backup node after the task (predicted in check mode). Null when there is none.
  returned: always
  type: dict
  sample:
    id: 1201
    consumer_id: 409
    consumer_name: LisasWS
    business_unit_id: 76
    business_unit: Company AB/Marketing Department
    operating_system: Windows
    node_type: Workstation
    domain: STANDARD
    client_option_set: DEDUP_AND_COMPRESS
    cpu_count: 4
    contact: lisa@example.com
    activated: true
    node_name: LISASWS
    tsm_node_id: "70001"
    activated_date: "2025-03-01T08:14:02.310Z"
    proxy_agents: [{consumer_id: 410, name: FS01, node_name: FS01}]
    proxy_targets: []
    created_date: "2025-03-01T08:13:40.002Z"
  contains:
    id:
      description: Id of the node (null for a node only predicted in check mode).
      type: int
    consumer_id:
      description: Id of the consumption unit.
      type: int
    consumer_name:
      description: Name of the consumption unit.
      type: str
    business_unit_id:
      description: Id of the business unit.
      type: int
    business_unit:
      description: Path of the business unit.
      type: str
    operating_system:
      description: Operating system name.
      type: str
    node_type:
      description: Node type name.
      type: str
    domain:
      description: Policy domain name.
      type: str
    client_option_set:
      description: Client option set name, or null.
      type: str
    cpu_count:
      description: Number of processors.
      type: int
    contact:
      description: Contact information, or null.
      type: str
    activated:
      description: Whether the node is registered on the Storage Protect server.
      type: bool
    node_name:
      description: Node name on the Storage Protect server (upper case), or null before activation.
      type: str
    tsm_node_id:
      description: Storage Protect id of the node, or null before activation.
      type: str
    activated_date:
      description: When the node was activated, or null.
      type: str
    registered_time:
      description: When the node was registered on the Storage Protect server, or null.
      type: str
    last_access_time:
      description: When the node's backup client last contacted the Storage Protect server (its last activity), or null
        when the server reports none.
      type: str
    proxy_agents:
      description: Proxy agents (consumer_id, name, node_name), sorted by consumer id.
      type: list
      elements: dict
    proxy_targets:
      description: Proxy targets (consumer_id, name, node_name), sorted by consumer id.
      type: list
      elements: dict
    created_date:
      description: When the node was created.
      type: str
    tsm_password:
      description: The node's Storage Protect password. Only with O(return_password=true); the result is then no_log.
      type: str
      returned: when O(return_password=true)
diff:
  description: Changed fields before and after. Only with C(--diff). Never holds the password.
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule

from ansible_collections.filefleet.office.plugins.module_utils._common import make_diff, run
from ansible_collections.filefleet.office.plugins.module_utils._cloutility import (
    cloutility_argument_spec, cloutility_session, is_id, pick, validate_node_name,
)
from ansible_collections.filefleet.office.plugins.module_utils._cloutility_resources import (
    node_body, node_view, proxy_view, split_consumer_ref,
)

# option -> (wire field, resolver name, what)
REFERENCES = (
    ("operating_system", "operatingSystem", "resolve_operating_system"),
    ("node_type", "type", "resolve_node_type"),
    ("domain", "domain", "resolve_domain"),
    ("client_option_set", "clientOptionSet", "resolve_client_option_set"),
)
PROXIES = (("proxy_agents", "proxyAgents", "proxyagents", "proxyAgentId"),
           ("proxy_targets", "proxyTargets", "proxytargets", "proxyTargetId"))
VIEW_KEYS = ("operating_system", "node_type", "domain", "client_option_set", "cpu_count", "contact", "activated",
             "node_name", "proxy_agents", "proxy_targets")


def argument_spec():
    spec = cloutility_argument_spec()
    spec.update(
        business_unit=dict(type="raw", required=True),
        consumer=dict(type="raw", required=True),
        operating_system=dict(type="raw"),
        node_type=dict(type="raw"),
        domain=dict(type="raw"),
        client_option_set=dict(type="raw"),
        cpu_count=dict(type="int"),
        contact=dict(type="str"),
        proxy_agents=dict(type="list", elements="raw"),
        proxy_targets=dict(type="list", elements="raw"),
        state=dict(type="str", choices=["present", "activated", "absent"], default="present"),
        node_name=dict(type="str"),
        return_password=dict(type="bool", default=False, no_log=False),
        delete_associations=dict(type="bool", default=True),
        deletion_comment=dict(type="str"),
        wait_timeout=dict(type="int", default=300),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, required_if=[("state", "activated", ("node_name",))])


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip()) or isinstance(value, (bool, dict, list))


def validate(params):
    """Reject bad input before any request; returns the upper-cased node name (or None)."""
    if _blank(params["consumer"]):
        raise ValueError("consumer must be the id or the name of a consumption unit")
    for option, _wire, _resolver in REFERENCES:
        if params[option] is not None and _blank(params[option]):
            raise ValueError("%s must be a name or an id" % option)
    if params["cpu_count"] is not None and params["cpu_count"] < 0:
        raise ValueError("cpu_count must be 0 or more, got %d" % params["cpu_count"])
    for option, _wire, _path, _query in PROXIES:
        if params[option] is not None and any(_blank(v) for v in params[option]):
            raise ValueError("%s must hold names or ids of consumption units, not empty values" % option)
    if params["wait_timeout"] < 0:
        raise ValueError("wait_timeout must be 0 or more seconds")
    if params["node_name"] is not None and params["state"] != "activated":
        raise ValueError("node_name is only used with state=activated (state is %s)" % params["state"])
    if params["state"] == "activated":
        return validate_node_name(params["node_name"])
    return None


def _matches(current_ref, wanted):
    """Whether the node's reference already is ``wanted`` (an id, or a name compared case-insensitively)."""
    if not isinstance(current_ref, dict):
        return False
    if is_id(wanted):
        return current_ref.get("id") == int(wanted)
    return str(current_ref.get("name", "")).casefold() == str(wanted).strip().casefold()


def _resolve(session, bid, resolver, value, option):
    method = getattr(session, resolver)
    if resolver in ("resolve_domain", "resolve_client_option_set"):
        return method(bid, value, option)
    return method(value, option)


def _proxy_ids(module, consumers, values, option, own_id):
    """Consumer ids for ``values`` (ids or names in this business unit).

    In check mode a name not found yet stands for itself (an earlier task would create it), with a warning.
    """
    ids = set()
    for value in values:
        if is_id(value):
            ids.add(int(value))
            continue
        try:
            ids.add(pick(consumers, value, "consumption unit", option, casefold=False)["id"])
        except ValueError:
            if not module.check_mode or [c for c in consumers if c.get("name") == str(value)]:
                raise
            module.warn("%s: consumption unit %r does not exist; check mode assumes an earlier task creates it"
                        % (option, value))
            ids.add(str(value))
    if own_id is not None and own_id in ids:
        raise ValueError("%s holds the node's own consumption unit (id %d); a node cannot be its own proxy" % (option, own_id))
    return ids


def ensure(module, scope):
    params = module.params
    wanted_name = validate(params)
    session = cloutility_session(scope, params)
    bunit = session.resolve_bunit(params["business_unit"])
    bid = bunit["id"]
    consumers = session.consumers(bid)
    cid, cname = split_consumer_ref(params["consumer"])
    if cid is not None:
        matches = [c for c in consumers if c.get("id") == cid]
    else:
        matches = [c for c in consumers if c.get("name") == cname]
        if len(matches) > 1:
            raise ValueError("consumer=%r matches %d consumption units in business unit %r (ids %s); give the id of "
                             "the one to manage" % (cname, len(matches), bunit["path"],
                                                    ", ".join(str(m.get("id")) for m in matches)))
    consumer = matches[0] if matches else None
    result = {"changed": False, "node": None}

    if consumer is None:
        if params["state"] == "absent":
            return result
        if not module.check_mode:
            raise ValueError("consumer=%r: business unit %r has no such consumption unit; create it first with "
                             "filefleet.office.cloutility_consumer" % (params["consumer"], bunit["path"]))
        module.warn("consumption unit %r does not exist in business unit %r; check mode assumes an earlier task "
                    "creates it" % (params["consumer"], bunit["path"]))
        current = None
    else:
        cid = consumer["id"]
        current = session.get_node(bid, cid)

    if params["state"] == "absent":
        return ensure_absent(module, session, bunit, consumer, current)

    # -- plan (everything that can be refused is checked before the first write) -------------------------
    activated = bool(current and current.get("tsmName"))
    if wanted_name and activated and current["tsmName"].upper() != wanted_name:
        raise ValueError("node_name=%r: the node of %r is already activated as %r; Cloutility cannot rename an "
                         "activated node" % (params["node_name"], consumer.get("name"), current["tsmName"]))
    activate = bool(wanted_name) and not activated
    wants_proxies = any(params[option] is not None for option, _w, _p, _q in PROXIES)
    if wants_proxies and not activated and not wanted_name:
        raise ValueError("proxy_agents/proxy_targets need an activated node: use state=activated with node_name")

    changes, predicted = {}, {}
    for option, wire, resolver in REFERENCES:
        value = params[option]
        if value is None or (current is not None and _matches(current.get(wire), value)):
            continue
        item = _resolve(session, bid, resolver, value, option)
        changes[wire] = {"id": item["id"]}
        predicted[option] = item.get("name")
    if params["cpu_count"] is not None and (current is None or current.get("cpuCount") != params["cpu_count"]):
        changes["cpuCount"] = predicted["cpu_count"] = params["cpu_count"]
    if params["contact"] is not None and (current is None or (current.get("contact") or "") != params["contact"]):
        changes["contact"] = params["contact"]
        predicted["contact"] = params["contact"] or None
    if current is None:
        missing = [o for o, _w, _r in REFERENCES if params[o] is None]
        if missing and consumer is not None:
            raise ValueError("consumer %r has no backup node; to create one give %s"
                             % (params["consumer"], ", ".join(missing)))

    proxy_plan = []
    for option, wire, path, query in PROXIES:
        if params[option] is None:
            continue
        want = _proxy_ids(module, consumers, params[option], option, cid)
        have = set(r.get("consumerId") for r in (current or {}).get(wire) or [])
        for other in sorted(want - have, key=str):
            proxy_plan.append(("add", option, path, query, other))
        for other in sorted(have - want):
            proxy_plan.append(("remove", option, path, query, other))
        names = dict((c["id"], c.get("name")) for c in consumers)
        known = dict((r.get("consumerId"), r) for r in (current or {}).get(wire) or [])
        guesses = [{"consumerId": i, "name": names.get(i)} if isinstance(i, int) else {"consumerId": None, "name": i}
                   for i in want]
        predicted[option] = proxy_view([known.get(i) or guess for i, guess in zip(want, guesses)])

    changed = bool(current is None or changes or activate or proxy_plan)
    before = node_view(current, consumer, bunit) if current is not None else None
    label = "consumption unit %r (id %s)" % ((consumer or {}).get("name", params["consumer"]), cid)

    # -- act ---------------------------------------------------------------------------------------------
    if module.check_mode or not changed:
        after = dict(before) if before else node_view({"consumer": consumer or {"name": params["consumer"]}},
                                                      consumer, bunit)
        after.update(predicted)
        if activate:
            after.update(activated=True, node_name=wanted_name)
        if current is None:
            after["id"] = None
        if params["return_password"]:
            after["tsm_password"] = (current or {}).get("tsmPassword")
    else:
        node_path = session.consumer_path(bid, cid, "node")
        node = current
        if current is None:
            node = session.post(node_path, node_body(None, changes), what="create the backup node of %s" % label)
        elif changes:
            node = session.put(node_path, node_body(current, changes), what="update the backup node of %s" % label)
        if activate:
            session.call("GET", node_path + "/activate", params={"tsmName": wanted_name}, idempotent=False,
                         what="activate the backup node of %s as %r" % (label, wanted_name))
            node = session.wait_for(lambda: session.get_node(bid, cid, missing_ok=False),
                                    lambda n: bool(n and n.get("tsmName")),
                                    "activation of the backup node of %s" % label, timeout=params["wait_timeout"],
                                    describe=lambda n: "not activated (sync state %s)" % ((n or {}).get("syncState") or {}).get("name"))
        for action, option, path, query, other in proxy_plan:
            if action == "add":
                session.post(node_path + "/" + path, params={query: other},
                             what="add consumption unit %s to the %s of %s" % (other, option, label))
            else:
                session.delete("%s/%s/%d" % (node_path, path, other),
                               what="remove consumption unit %s from the %s of %s" % (other, option, label))
        if proxy_plan or not isinstance(node, dict) or node.get("id") is None:
            node = session.get_node(bid, cid, missing_ok=False)
        after = node_view(node, consumer, bunit, return_password=params["return_password"])

    result.update(changed=changed, node=after)
    if module._diff and changed:
        keys = [k for k in VIEW_KEYS if (before or {}).get(k) != after.get(k)]
        result["diff"] = make_diff(before or {}, after, keys)
        if before is None:
            result["diff"]["before"] = {}
    return result


def ensure_absent(module, session, bunit, consumer, current):
    result = {"changed": False, "node": None}
    if current is None:
        return result
    params = module.params
    bid, cid = bunit["id"], consumer["id"]
    label = "consumption unit %r (id %s)" % (consumer.get("name"), cid)
    if not module.check_mode:
        query = {"deleteAssociations": "true" if params["delete_associations"] else "false"}
        if params["deletion_comment"]:
            query["deletionComment"] = params["deletion_comment"]
        session.delete(session.consumer_path(bid, cid, "node"), params=query,
                       what="delete the backup node of %s" % label)
        session.wait_until_gone(bid, cid, "deletion of the backup node of %s" % label, timeout=params["wait_timeout"])
    result["changed"] = True
    if module._diff:
        before = node_view(current, consumer, bunit)
        result["diff"] = {"before": dict((k, before.get(k)) for k in ("consumer_name",) + VIEW_KEYS), "after": {}}
    return result


def run_module(module):
    run(module, ensure)


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run_module(module)


if __name__ == "__main__":
    main()
