# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloutility consumption units and backup nodes: lookup, the user-facing views, the PUT bodies, deletion, and
the backup node's plan/act split (``NodePlan``: reference resolution, activation, proxy relations) that the
engine mappings of cloutility_consumer and backup_node use.

PUT semantics of the real API are unknown (docs/protocol-cloutility.md#known-gaps): the server may replace the whole object
or merge the body into it. Updates are read-modify-write and correct under both:

* a consumer PUT sends the consumer as read, with the changes, without ``$type``/``href``/``actions`` and the
  read-only or embedded fields (``READ_ONLY_CONSUMER_FIELDS``), so writable fields this collection does not know
  keep their values on a server that replaces the whole object; a cleared field is sent as an explicit null,
  which a merge applies too (leaving it out would keep the value);
* a node PUT sends the whole node as read (the guide's request body is a Node), with the changes, so node
  groups, schedules and proxy relations survive a full replace.

Deletion is asynchronous on the Storage Protect side: an accepted DELETE counts as done, and a consumer or node
marked for deletion (``scheduledDeletionDate``/``archivedDate``, a decommissioned node) counts as absent.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import re

from ansible_collections.filefleet.office.plugins.module_utils._cloutility import is_id, pick
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
READ_ONLY_CONSUMER_FIELDS = frozenset((
    "href", "actions", "businessUnit", "dataSourceType", "dataSourceState", "dataSourceIsPotentialParent",
    "latestRestorePoint", "scheduledDeletionDate", "lastCommentTime", "lastCommentTypeId", "comments", "jobs",
    "node", "vmFilespace", "hypervisor", "rubrikDataSource", "vm", "createdDate", "archivedDate",
))

# option -> (wire field, kind)
CONSUMER_FIELDS = (
    ("name", "name", "str"),
    ("note", "note", "optional_str"),
    ("external_reference", "externalReference", "optional_str"),
    ("tags", "tags", "tags"),
    ("storage_limit_gb", "limitHighStorage", "float"),
    ("allow_no_activity", "allowNoActivity", "bool"),
    ("billing_start_date", "billingStartDate", "date"),
    ("billing_end_date", "billingEndDate", "optional_date"),
)


def _name(ref):
    return (ref or {}).get("name") if isinstance(ref, dict) else None


def _date(value):
    return str(value)[:10] if value else None


def tag_texts(tags):
    texts = []
    for tag in tags or []:
        text = tag.get("text") if isinstance(tag, dict) else tag
        if text is not None:
            texts.append(str(text))
    return sorted(set(texts))


def validate_date(option, value, allow_empty=False):
    if value is None:
        return
    if value == "" and allow_empty:
        return
    if not DATE_RE.match(value):
        raise ValueError("%s=%r is not a date; use YYYY-MM-DD%s" % (option, value, " (or '' to clear it)" if allow_empty else ""))
    try:
        datetime.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        raise ValueError("%s=%r is not a valid calendar date" % (option, value))


def consumer_view(consumer, bunit=None):
    """What the modules return for a consumer (snake_case, normalised)."""
    if consumer is None:
        return None
    embedded = consumer.get("businessUnit") or {}
    return {
        "id": consumer.get("id"),
        "name": consumer.get("name"),
        "business_unit_id": embedded.get("id") if embedded.get("id") is not None else (bunit or {}).get("id"),
        "business_unit": (bunit or {}).get("path") or embedded.get("name"),
        "note": consumer.get("note") or None,
        "external_reference": consumer.get("externalReference") or None,
        "tags": tag_texts(consumer.get("tags")),
        "storage_limit_gb": consumer.get("limitHighStorage"),
        "allow_no_activity": consumer.get("allowNoActivity"),
        "billing_start_date": _date(consumer.get("billingStartDate")),
        "billing_end_date": _date(consumer.get("billingEndDate")),
        "scheduled_deletion_date": consumer.get("scheduledDeletionDate"),
        "data_source_type": _name(consumer.get("dataSourceType")),
        "data_source_state": _name(consumer.get("dataSourceState")),
        "created_date": consumer.get("createdDate"),
    }


def wanted_consumer_fields(params):
    """{option: normalised wanted value} for the consumer options the user gave."""
    wanted = {}
    for option, _wire, kind in CONSUMER_FIELDS:
        value = params.get(option)
        if value is None:
            continue
        if kind in ("optional_str", "optional_date") and value == "":
            value = None
        elif kind == "tags":
            value = sorted(set(str(t) for t in value))
        elif kind == "float":
            value = float(value)
        wanted[option] = value
    return wanted


def consumer_body(current, wanted):
    """The PUT/POST body: ``current`` as read (read-only fields stripped) with the wanted options applied."""
    body = dict((k, v) for k, v in (current or {}).items()
                if not k.startswith("$") and k not in READ_ONLY_CONSUMER_FIELDS)
    existing_tags = dict((t.get("text"), t) for t in (current or {}).get("tags") or [] if isinstance(t, dict))
    for option, wire, kind in CONSUMER_FIELDS:
        if option not in wanted:
            continue
        value = wanted[option]
        if kind == "tags":
            value = [dict((k, v) for k, v in existing_tags[t].items() if not k.startswith("$") and k != "href")
                     if t in existing_tags else {"text": t} for t in value]
        elif kind in ("date", "optional_date") and value is not None:
            value = value + "T00:00:00Z"
        body[wire] = value  # None is an explicit null: it clears the field whether PUT replaces or merges
    return body


DELETED_STATES = frozenset(("deleted", "deleting", "pending deletion", "marked for deletion", "decommissioned"))


def marked_for_deletion(item):
    """Whether a consumer or node (full or slim) is on its way out: a deletion date, archived, decommissioned, or a
    data source state that says so. It counts as absent."""
    if not isinstance(item, dict):
        return False
    state = _name(item.get("dataSourceState")) or ""
    marked = item.get("scheduledDeletionDate") or item.get("archivedDate") or item.get("decommissioned")
    return bool(marked or state.casefold() in DELETED_STATES)


def live(items):
    return [i for i in items if not marked_for_deletion(i)]


def locate_consumer(session, bid, consumer_id=None, name=None, option="name"):
    """The full consumer by id, or by name when exactly one consumer of the business unit has it; else None.
    A consumer marked for deletion counts as absent. Duplicate names fail with the ids, so the user can choose one.
    """
    if consumer_id is not None:
        found = session.get_consumer(bid, int(consumer_id))
        return None if marked_for_deletion(found) else found
    matches = live(session.find_consumers(bid, name))
    full = [session.get_consumer(bid, m["id"], missing_ok=False) for m in matches] if len(matches) > 1 else []
    if full:
        matches = live(full)
    if len(matches) > 1:
        raise ValueError("%s=%r matches %d consumption units in business unit %s (ids %s); give the id of the one "
                         "to manage" % (option, name, len(matches), bid, ", ".join(str(m.get("id")) for m in matches)))
    if not matches:
        return None
    found = matches[0] if full else session.get_consumer(bid, matches[0]["id"], missing_ok=False)
    return None if marked_for_deletion(found) else found


def keep_oldest(session, bid, created, params):
    """Called right after this run created ``created``. Cloutility does not keep consumption unit names unique, so
    two runs that list, find nothing and create at the same time make two units of one name. Every run that creates
    lists again by name: when several live units share the name, the oldest (lowest id) is kept, the one this run
    created is deleted if it is not that one, and the kept one is returned (full), with whether it is this run's.
    Both runs apply the same rule, so exactly one unit stays whatever the interleaving (docs/protocol-cloutility.md).
    """
    if not isinstance(created, dict) or created.get("id") is None:
        return created, True
    twins = live(session.find_consumers(bid, created.get("name")))
    ids = sorted(set(t["id"] for t in twins if t.get("id") is not None) | set([created["id"]]), key=int)
    if ids[0] == created["id"]:
        return created, True
    delete_consumer(session, bid, created, dict(params, delete_associations=True,
                                                deletion_comment="duplicate of consumption unit %s created by a "
                                                                 "concurrent run" % ids[0]))
    return session.get_consumer(bid, ids[0], missing_ok=False), False


def write_tags(session, bid, answer, wanted):
    """Tags by text inside the consumer body may be ignored by the server (whether it writes them is unknown):
    each wanted tag the answer lacks is added through ``POST .../consumers/{c}/tags``, and a tag that should have
    gone but stays fails (the API documents no way to remove one). Returns the consumer as it is now."""
    if "tags" not in wanted or not isinstance(answer, dict) or answer.get("id") is None:
        return answer
    have = tag_texts(answer.get("tags"))
    label = consumer_label(answer)
    for text in sorted(set(wanted["tags"]) - set(have)):
        session.post(session.consumer_path(bid, answer["id"], "tags"), {"text": text},
                     what="add tag %r to %s" % (text, label))
    extra = sorted(set(have) - set(wanted["tags"]))
    if extra:
        raise ValueError("tags: Cloutility kept the tags %s of %s although the update left them out; this server "
                         "does not remove tags through the consumption unit, remove them in the portal"
                         % (", ".join(extra), label))
    if set(wanted["tags"]) - set(have):
        return session.get_consumer(bid, answer["id"], missing_ok=False)
    return answer


def split_consumer_ref(value):
    """(id, name) of a consumer given by id or by name."""
    if is_id(value):
        return int(value), None
    return None, str(value)


def proxy_view(related):
    return sorted(({"consumer_id": r.get("consumerId"), "name": r.get("name"), "node_name": r.get("tsmName")}
                   for r in related or []), key=lambda r: (r["consumer_id"] is None, r["consumer_id"] or 0, str(r["name"])))


def node_view(node, consumer=None, bunit=None, return_password=False):
    """What the modules return for a backup node. ``tsm_password`` only when asked."""
    if node is None:
        return None
    slim = node.get("consumer") or {}
    view = {
        "id": node.get("id"),
        "consumer_id": slim.get("id") if slim.get("id") is not None else (consumer or {}).get("id"),
        "consumer_name": slim.get("name") or (consumer or {}).get("name") or node.get("name"),
        "business_unit_id": (bunit or {}).get("id"),
        "business_unit": (bunit or {}).get("path"),
        "operating_system": _name(node.get("operatingSystem")),
        "node_type": _name(node.get("type")),
        "domain": _name(node.get("domain")),
        "client_option_set": _name(node.get("clientOptionSet")),
        "cpu_count": node.get("cpuCount"),
        "contact": node.get("contact") or None,
        "activated": bool(node.get("tsmName")),
        "node_name": node.get("tsmName"),
        "tsm_node_id": node.get("tsmNodeId"),
        "activated_date": node.get("activatedDate"),
        "registered_time": node.get("registeredTime"),
        "last_access_time": node.get("lastAccessTime"),
        "proxy_agents": proxy_view(node.get("proxyAgents")),
        "proxy_targets": proxy_view(node.get("proxyTargets")),
        "created_date": node.get("createdDate"),
        "decommissioned": bool(node.get("decommissioned")),
    }
    if return_password:
        view["tsm_password"] = node.get("tsmPassword")
    return view


def node_body(current, changes):
    """The whole node as read (without ``$type``/``href``/``actions``) with ``changes`` ({wire field: value})
    applied: the guide's request body is a Node, and a server that replaces the whole node would otherwise reset
    node groups, schedules and proxy relations. Without ``current``, only ``changes`` (a creation)."""
    body = dict((k, v) for k, v in (current or {}).items() if not k.startswith("$") and k not in ("href", "actions"))
    body.update(changes)
    return body


def read_node(session, bid, cid, missing_ok=True, include_deleted=False):
    """The node of a consumer, or None when it has none, however the server says so: 404, or 200 with null, an
    empty body or an object without an id (which is unknown, spec open question 1). A node marked for deletion
    (decommissioned) is None too, unless ``include_deleted``."""
    try:
        node = session.get_node(bid, cid)
    except ApiError as exc:
        # The client refuses a success without a JSON object (empty, or the JSON null): here that means "no node".
        if exc.status not in (200, 204) or (exc.server_message or "").strip() not in ("", "null"):
            raise
        node = None
    if not isinstance(node, dict) or node.get("id") is None or (marked_for_deletion(node) and not include_deleted):
        node = None
    if node is None and not missing_ok:
        raise ValueError("consumption unit %s has no backup node (any more)" % cid)
    return node


def deletion_state(session, bid, consumer):
    """After an accepted DELETE: ``deleted`` when Cloutility no longer has the consumption unit, ``pending`` while
    it is still shown (marked for deletion, or the Storage Protect delete process still running). Never waits."""
    return "pending" if session.get_consumer(bid, consumer["id"]) is not None else "deleted"


def new_consumer_view(wanted, bunit):
    """The view of a consumption unit ``wanted`` would create (check mode): Cloutility starts it as a data source
    of type None in state New, and bills it from today (UTC) unless told otherwise."""
    view = consumer_view(dict(consumer_body(None, wanted), businessUnit={"id": bunit["id"], "name": bunit["name"]},
                              dataSourceType={"name": "None"}, dataSourceState={"name": "New"}), bunit)
    view["billing_start_date"] = wanted.get("billing_start_date") or datetime.datetime.utcnow().strftime("%Y-%m-%d")
    return view


def consumer_label(consumer, node=False):
    return ("the backup node of " if node else "") + "consumption unit %r (id %s)" % (consumer.get("name"), consumer["id"])


def delete_consumer(session, bid, consumer, params, node=False):
    """DELETE a consumption unit, or its backup node (which takes the consumption unit along), as ``params`` say
    (``delete_associations``, ``deletion_comment``)."""
    query = {"deleteAssociations": "true" if params["delete_associations"] else "false"}
    if params["deletion_comment"]:
        query["deletionComment"] = params["deletion_comment"]
    session.delete(session.consumer_path(bid, consumer["id"], *(("node",) if node else ())), params=query,
                   what="delete " + consumer_label(consumer, node))


# -- backup nodes ----------------------------------------------------------------------------------------------

# option -> (wire field, resolver of CloutilitySession)
NODE_REFERENCES = (
    ("operating_system", "operatingSystem", "resolve_operating_system"),
    ("node_type", "type", "resolve_node_type"),
    ("domain", "domain", "resolve_domain"),
    ("client_option_set", "clientOptionSet", "resolve_client_option_set"),
)
# option -> wire field
NODE_SCALARS = (("cpu_count", "cpuCount"), ("contact", "contact"))
# option -> (wire field, sub-collection of the node, query parameter of an addition)
NODE_PROXIES = (("proxy_agents", "proxyAgents", "proxyagents", "proxyAgentId"),
                ("proxy_targets", "proxyTargets", "proxytargets", "proxyTargetId"))


def blank(value):
    """Not usable as the name or the id of something: None, empty text, a bool, a dict or a list."""
    return value is None or (isinstance(value, str) and not value.strip()) or isinstance(value, (bool, dict, list))


def consumers_named(consumers, value, bunit, option="consumer", hint="give the id of the one to manage"):
    """The consumers of ``consumers`` (slim) given by id or by exact name; a name several share is an error."""
    cid, cname = split_consumer_ref(value)
    if cid is not None:
        return [c for c in consumers if c.get("id") == cid]
    matches = [c for c in consumers if c.get("name") == cname]
    if len(matches) > 1:
        raise ValueError("%s=%r matches %d consumption units in business unit %r (ids %s); %s"
                         % (option, cname, len(matches), bunit["path"], ", ".join(str(m.get("id")) for m in matches), hint))
    return matches


def reference_matches(current_ref, wanted):
    """Whether the node's reference already is ``wanted`` (an id, or a name compared case-insensitively)."""
    if not isinstance(current_ref, dict):
        return False
    if is_id(wanted):
        return current_ref.get("id") == int(wanted)
    return str(current_ref.get("name", "")).casefold() == str(wanted).strip().casefold()


def resolve_node_reference(session, bid, resolver, value, option):
    """The item (``{id, name}``) a node reference option names; domains and option sets are per business unit."""
    method = getattr(session, resolver)
    if resolver in ("resolve_domain", "resolve_client_option_set"):
        return method(bid, value, option)
    return method(value, option)


def proxy_ids(consumers, values, option, own_id, missing):
    """Consumer ids for ``values`` (ids, or names in the business unit).

    A name no consumption unit has goes to ``missing(error, warning)`` (``Resource.expect_created_earlier``): a
    real run fails, check mode keeps the name as a stand-in for a consumption unit an earlier task creates.
    """
    ids = set()
    for value in values:
        if is_id(value):
            ids.add(int(value))
            continue
        try:
            ids.add(pick(consumers, value, "consumption unit", option, casefold=False)["id"])
        except ValueError as exc:
            if [c for c in consumers if c.get("name") == str(value)]:
                raise
            missing(str(exc), "%s: consumption unit %r does not exist; check mode assumes an earlier task creates it"
                    % (option, value))
            ids.add(str(value))
    if own_id is not None and own_id in ids:
        raise ValueError("%s holds the node's own consumption unit (id %d); a node cannot be its own proxy" % (option, own_id))
    return ids


class NodePlan:
    """The plan/act split of one backup node: ``desired`` plans (resolving names and checking everything that can
    be refused before the first write); ``write`` carries out changes (by option) and ``settle`` waits for them."""

    def __init__(self, session, bunit, consumers, consumer, timeout):
        self.session, self.bunit, self.consumers, self.consumer = session, bunit, consumers, consumer
        self.timeout = timeout
        self.node = None       # the node as read, then as the last write answered
        self.refs = {}         # option -> {"id": id} of each reference that differs from the node's
        self.steps = []        # proxy relations to add and remove: (action, option, sub-collection, query, id)
        self.activating = None  # the node name of an activation sent but not yet seen

    def _path(self, *rest):
        return self.session.consumer_path(self.bunit["id"], self.consumer["id"], "node", *rest)

    def _get(self):
        return read_node(self.session, self.bunit["id"], self.consumer["id"], missing_ok=False)

    def read(self):
        self.node = read_node(self.session, self.bunit["id"], self.consumer["id"])
        return self.node

    def desired(self, params, node_name, missing):
        """{option: value as ``node_view`` shows it} for the options given; activation is ``activated``/``node_name``."""
        activated = bool(self.node and self.node.get("tsmName"))
        if node_name and activated and self.node["tsmName"].upper() != node_name:
            raise ValueError("node_name=%r: the node of %r is already activated as %r; Cloutility cannot rename an "
                             "activated node" % (params["node_name"], self.consumer.get("name"), self.node["tsmName"]))
        if not activated and not node_name and any(params[option] is not None for option, _w, _p, _q in NODE_PROXIES):
            raise ValueError("proxy_agents/proxy_targets need an activated node: use state=activated with node_name")
        wanted = dict((option, self._reference(option, wire, resolver, params[option]))
                      for option, wire, resolver in NODE_REFERENCES if params[option] is not None)
        wanted.update((option, params[option] if option != "contact" else params[option] or None)
                      for option, _wire in NODE_SCALARS if params[option] is not None)
        if node_name:
            wanted.update(activated=True, node_name=node_name)
        for option, wire, path, query in NODE_PROXIES:
            if params[option] is not None:
                wanted[option] = self._proxies(option, wire, path, query, params[option], missing)
        return wanted

    def _reference(self, option, wire, resolver, value):
        have = (self.node or {}).get(wire)
        if reference_matches(have, value):
            return have.get("name")
        item = resolve_node_reference(self.session, self.bunit["id"], resolver, value, option)
        self.refs[option] = {"id": item["id"]}
        return item.get("name")

    def _proxies(self, option, wire, path, query, values, missing):
        """The predicted proxy view of ``values``; the relations to add and remove go to ``steps``."""
        want = proxy_ids(self.consumers, values, option, (self.consumer or {}).get("id"), missing)
        current = (self.node or {}).get(wire) or []
        have = set(r.get("consumerId") for r in current)
        self.steps += [("add", option, path, query, other) for other in sorted(want - have, key=str)]
        self.steps += [("remove", option, path, query, other) for other in sorted(have - want)]
        names = dict((c["id"], c.get("name")) for c in self.consumers)
        known = dict((r.get("consumerId"), r) for r in current)
        return proxy_view([known.get(i) or ({"consumerId": i, "name": names.get(i)} if isinstance(i, int)
                                            else {"consumerId": None, "name": i}) for i in want])

    def write(self, changes):
        """Carry out ``changes`` (by option): the node's fields (creating the node when there is none), the
        activation (never retried), then the proxy relations, which need the activation to have shown."""
        label = consumer_label(self.consumer, node=True)
        fields = dict((wire, self.refs[option]) for option, wire, _r in NODE_REFERENCES if option in changes)
        fields.update((wire, changes[option] if changes[option] is not None else "")
                      for option, wire in NODE_SCALARS if option in changes)
        if self.node is None:
            self.node = self.session.post(self._path(), node_body(None, fields), what="create " + label)
        elif fields:
            self.node = self.session.put(self._path(), node_body(self.node, fields), what="update " + label)
        if changes.get("node_name"):
            self.activating = changes["node_name"]
            self.activate(label)
        if self.steps:
            self.wait_for_activation()
        for action, option, path, query, other in self.steps:
            what = (other, option, consumer_label(self.consumer))
            if action == "add":
                self.session.post(self._path(path), params={query: other}, what="add consumption unit %s to the %s of %s" % what)
            else:
                self.session.delete(self._path(path, other), what="remove consumption unit %s from the %s of %s" % what)

    def activate(self, label):
        """Activation; a name taken on the Storage Protect server (409) fails saying why that can be."""
        try:
            self.session.activate_node(self.bunit["id"], self.consumer["id"], self.activating,
                                       what="activate %s as %r" % (label, self.activating))
        except ApiError as exc:
            if exc.status == 409 and "activated" not in str(exc.server_message or "").lower():
                exc.message = ("activate %s as %r failed: the node name is registered on the Storage Protect server. "
                               "Another node has it, or a deleted node still holds it: Storage Protect locks or "
                               "decommissions a deleted node and keeps its name until its retention ends. Choose "
                               "another node_name, or wait until the deleted node is removed" % (label, self.activating))
            raise

    def wait_for_activation(self):
        """Wait until an activation sent by ``write`` shows in Cloutility (no-op when none is pending)."""
        if self.activating:
            self.node = self.session.wait_for(
                self._get, lambda n: bool(n and n.get("tsmName")),
                "activation of " + consumer_label(self.consumer, node=True), timeout=self.timeout,
                describe=lambda n: "not activated (sync state %s)" % ((n or {}).get("syncState") or {}).get("name"))
            self.activating = None

    def settle(self):
        """The node after ``write``: activation waited for, read again when the answers do not show it all."""
        self.wait_for_activation()
        if self.steps or not isinstance(self.node, dict) or self.node.get("id") is None:
            self.node = self._get()
        return self.node
