# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloutility consumption units and backup nodes: lookup, the user-facing views and the PUT bodies.

PUT semantics of the real API are unknown (spec section 6, question 4), so updates are read-modify-write:

* a consumer PUT sends the consumer as read, with the changes, without ``$type``/``href``/``actions`` and the
  read-only or embedded fields (``READ_ONLY_CONSUMER_FIELDS``), so writable fields this collection does not know
  keep their values on a server that replaces the whole object;
* a node PUT sends the node's writable fields (references by ``id``, ``cpuCount``, ``contact``) taken from the
  node as read, with the changes. A node as read embeds large read-only sub-collections (filespaces, schedules,
  proxies, activity logs) that must not be sent back.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import re

from ansible_collections.filefleet.office.plugins.module_utils._cloutility import is_id

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
        if value is None:
            body.pop(wire, None)
        else:
            body[wire] = value
    return body


def locate_consumer(session, bid, consumer_id=None, name=None, option="name"):
    """The full consumer by id, or by name when exactly one consumer of the business unit has it; else None.

    Duplicate names fail with the ids, so the user can choose one.
    """
    if consumer_id is not None:
        return session.get_consumer(bid, int(consumer_id))
    matches = session.find_consumers(bid, name)
    if len(matches) > 1:
        raise ValueError("%s=%r matches %d consumption units in business unit %s (ids %s); give the id of the one "
                         "to manage" % (option, name, len(matches), bid, ", ".join(str(m.get("id")) for m in matches)))
    if not matches:
        return None
    return session.get_consumer(bid, matches[0]["id"], missing_ok=False)


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
    }
    if return_password:
        view["tsm_password"] = node.get("tsmPassword")
    return view


def ref(item):
    return {"id": item["id"]} if item else None


def node_body(current, changes):
    """Writable node fields from ``current`` (references by id) with ``changes`` ({wire field: value}) applied."""
    body = {}
    if current:
        if current.get("id") is not None:
            body["id"] = current["id"]
        for key in ("operatingSystem", "type", "domain", "clientOptionSet", "server"):
            if isinstance(current.get(key), dict) and current[key].get("id") is not None:
                body[key] = {"id": current[key]["id"]}
        for key in ("cpuCount", "contact"):
            if key in current:
                body[key] = current[key]
    body.update(changes)
    return body
