# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Portal tenancy and cloud folders: tenants, plans, folder groups, cloud drive folders, zones, activation codes.

Every request is the one cterasdk 2.20.50 sends for the same operation (core/portals.py, plans.py, cloudfs.py,
activation.py; docs/protocol-ctera.md#tenancy-and-cloud-folders). The one exception is a change of a tenant's
display name, billing id, company or comment, for which the SDK has no call: the tenant object is read and put back
whole (``PUT /portals/{name}``), as the SDK changes plans and folder groups.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
import time
from urllib.parse import quote

from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
from ansible_collections.filefleet.office.plugins.module_utils._portal import portal_session
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import as_text, name_of_ref

TENANT_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
PAGE = 50

# Plan options -> the portal's names (core/enum.py PlanService, PlanServiceState, PlanRetention; plans.py quotas).
PLAN_SERVICES = (("cloud_drive", "Cloud folders"), ("cloud_backup", "Cloud Backup"), ("seeding", "Seeding"),
                 ("remote_access", "Remote Access"))
SERVICE_STATES = (("enabled", "OK"), ("disabled", "Disabled"), ("connect", "Lite"))
PLAN_RETENTION = (("all", "retainAll"), ("hourly", "hourly"), ("daily", "daily"), ("weekly", "weekly"),
                  ("monthly", "monthly"), ("quarterly", "quarterly"), ("yearly", "yearly"), ("deleted", "retainDeleted"))
PLAN_QUOTAS = (("ev4", "vGateways4"), ("ev8", "vGateways8"), ("ev16", "appliances"), ("ev32", "vGateways32"),
               ("ev64", "vGateways64"), ("ev128", "vGateways128"), ("workstation_agents", "workstationAgents"),
               ("server_agents", "serverAgents"), ("cloud_drives", "cloudDrives"),
               ("cloud_drives_lite", "cloudDrivesLite"), ("storage_gb", "storage"))
GIB = 1024 ** 3


def global_session(scope, params):
    """A logged-in Portal session of a global administrator, not browsing any tenant (tenants and plans are
    managed from the global administration, as cterasdk's ``browse_global_admin`` leaves it)."""
    session = portal_session(scope, params)
    if not session.is_global_admin:
        raise ValueError("portal_url must be the global administration (without /ServicesPortal): tenants and plans "
                         "are managed by a global administrator, not by %r" % params["portal_username"])
    session.wanted_tenant = None
    if session.current_tenant:
        session.call("PUT", session.path("currentPortal"), "", what="browse the global administration")
        session.current_tenant = None
        session.cache = {}
    return session


def query_all(session, path, param, what, method=None):
    """Every object of a paged query (``db query`` on ``path``, or the root method ``method``)."""
    param = dict(param, startFrom=0, countLimit=PAGE)
    while True:
        if method:
            page = session.execute(session.path(), method, param, what=what) or {}
        else:
            page = session.database(path, "query", param, what=what, idempotent=True) or {}
        objects = page.get("objects") or []
        yield from objects
        if not page.get("hasMore") or not objects:
            return
        param["startFrom"] += PAGE


def name_filter(value, field="name", classname="StringFilter"):
    return {"_classname": classname, "field": field, "restriction": "eq", "value": value}


def wait_for_task(session, ref, what, timeout=120):
    """Poll a background task until it completes (``getTaskStatus`` in a tenant, GET outside one)."""
    deadline = time.time() + timeout
    task = {}
    while True:
        if session.current_tenant:
            task = session.execute(session.path(), "getTaskStatus", ref, what="%s: task status" % what) or {}
        else:
            task = session.get(session.path(*str(ref).strip("/").split("/")), what="%s: task status" % what) or {}
        status = str(task.get("status") or "")
        if status == "completed":
            return task
        if status in ("failed", "completed with warnings", "warnings"):
            raise ApiError("%s: the portal's task ended %s (%s)" % (what, status, task.get("progstring")))
        if time.time() > deadline:
            raise ApiError("%s: the portal's task was still %r after %d s" % (what, status, timeout))
        time.sleep(0.5)


def reference_or_missing(resource, found, error, warning):
    """The reference of a looked-up object, or None after ``expect_created_earlier`` (check mode predicts)."""
    if found:
        return found
    resource.expect_created_earlier(error, warning)
    return None


# -- tenants ----------------------------------------------------------------------------------------------------

TENANT_FIELDS = (("display_name", "displayName"), ("billing_id", "externalPortalId"), ("company", "companyName"),
                 ("comment", "comment"))


def tenant_view(obj, deleted):
    view = dict((option, as_text(obj.get(attribute)) or None) for option, attribute in TENANT_FIELDS)
    view.update(name=as_text(obj["name"]), plan=name_of_ref(obj.get("plan")), deleted=deleted)
    return view


def list_tenants(session, deleted, name=None):
    """Tenants as views: live ones, or those in the trash can (``getPortalsDisplayInfo``, cterasdk tenants())."""
    param = {"_classname": "QueryParams", "isTrashcan": deleted}
    if name is not None:
        param.update(filters=[name_filter(name)], orFilter=False)
    return [tenant_view(obj, deleted) for obj in query_all(session, None, param, "list tenants",
                                                           method="getPortalsDisplayInfo")
            if obj.get("name") is not None and (name is None or as_text(obj["name"]) == name)]


def read_tenant(session, name):
    """The tenant ``name`` as a view, live (get-multi, as portals.get) or from the trash can; None if neither."""
    obj = session.get_multi(session.path("portals", name), [a for _o, a in TENANT_FIELDS] + ["plan"],
                            what="read tenant %r" % name, missing_ok=True)
    if isinstance(obj, dict) and obj.get("name") not in (None, ""):
        return tenant_view(obj, False)
    trashed = list_tenants(session, True, name)
    return trashed[0] if trashed else None


def change_tenant(session, name, fields):
    """Change a tenant's display name, billing id, company or comment (``fields``: option -> value) and return the
    tenant read back. cterasdk has no call for it, so the request is inferred (the tenant object read and put back
    whole, ``PUT /portals/{name}``, as the SDK changes plans and folder groups) and the portal's answer is not
    trusted: whatever it answers (nothing, the object, an error), the tenant is read again and a value the portal
    did not take fails the task, naming it, instead of reporting a change that did not happen."""
    path = session.path("portals", name)
    obj = session.get(path, what="read tenant %r" % name)
    if not isinstance(obj, dict):
        raise ValueError("read tenant %r: the portal answered no tenant object" % name)
    for option, attribute in TENANT_FIELDS:
        if option in fields:
            obj[attribute] = fields[option]
    what = ", ".join(option for option, _attribute in TENANT_FIELDS if option in fields)
    try:
        session.put(path, obj, what="change tenant %r" % name)
    except ApiError as exc:
        if exc.status not in (400, 404, 405, 501):
            raise
        raise ApiError("change %s of tenant %r: the portal refused the request (the CTERA SDK has no call for this "
                       "change; the collection puts the whole tenant object back, PUT /portals/%s, which this portal "
                       "does not take). Change them in the portal's global administration instead"
                       % (what, name, name), method=exc.method, url=exc.url, status=exc.status,
                       server_message=exc.server_message)
    after = read_tenant(session, name)
    if after is None:
        raise ApiError("change %s of tenant %r: the tenant is gone after the change" % (what, name))
    missed = ["%s is %r, not %r" % (option, after.get(option), value) for option, value in sorted(fields.items())
              if after.get(option) != value]
    if missed:
        raise ApiError("change %s of tenant %r: the portal answered without an error but did not apply it (read back: "
                       "%s). The CTERA SDK has no call for this change and this portal ignores the whole tenant "
                       "object put back (PUT /portals/%s); change them in the portal's global administration "
                       "instead" % (what, name, "; ".join(missed), name))
    return after


def plan_reference(session, plan):
    obj = session.get_multi(session.path("plans", plan), ["baseObjectRef"], what="read plan %r" % plan,
                            missing_ok=True)
    if isinstance(obj, dict) and obj.get("name") not in (None, ""):
        return obj.get("baseObjectRef")
    return None


# -- plans ------------------------------------------------------------------------------------------------------

def plan_view(obj):
    states = dict((wire, option) for option, wire in SERVICE_STATES)
    by_name = dict((as_text(s.get("serviceName")), s.get("serviceState")) for s in obj.get("services") or []
                   if isinstance(s, dict))
    policy = obj.get("retentionPolicy") or {}
    quotas = {}
    for option, attribute in PLAN_QUOTAS:
        amount = (obj.get(attribute) or {}).get("amount") if isinstance(obj.get(attribute), dict) else None
        amount = int(amount) if amount is not None else None
        quotas[option] = amount // GIB if option == "storage_gb" and amount is not None else amount
    return {"name": as_text(obj["name"]),
            "services": dict((option, states.get(by_name.get(wire), by_name.get(wire))) for option, wire in PLAN_SERVICES),
            "retention": dict((option, None if policy.get(wire) is None else int(policy[wire]))
                              for option, wire in PLAN_RETENTION),
            "quotas": quotas}


PLAN_ATTRIBUTES = ["services", "retentionPolicy"] + [attribute for _o, attribute in PLAN_QUOTAS]


def read_plan(session, name):
    obj = session.get_multi(session.path("plans", name), PLAN_ATTRIBUTES, what="read plan %r" % name, missing_ok=True)
    if isinstance(obj, dict) and obj.get("name") not in (None, ""):
        return plan_view(obj)
    return None


def apply_plan(obj, view):
    """Write the services, retention and quotas of ``view`` into the Plan object ``obj`` (as plans.py assigns)."""
    wires = dict(SERVICE_STATES)
    services = dict(PLAN_SERVICES)
    for service in obj.get("services") or []:
        for option, value in (view.get("services") or {}).items():
            if value is not None and service.get("serviceName") == services[option]:
                service["serviceState"] = wires[value]
    policy = obj.setdefault("retentionPolicy", {"_classname": "RetentionPolicy"})
    for option, wire in PLAN_RETENTION:
        value = (view.get("retention") or {}).get(option)
        if value is not None:
            policy[wire] = value
    for option, attribute in PLAN_QUOTAS:
        value = (view.get("quotas") or {}).get(option)
        if value is not None:
            item = obj.setdefault(attribute, {"_classname": "PlanItem"})
            item["amount"] = value * GIB if option == "storage_gb" else value
    return obj


# -- folder groups ----------------------------------------------------------------------------------------------

def read_folder_group(session, name):
    obj = session.get_multi(session.path("foldersGroups", name), ["owner", "baseObjectRef"],
                            what="read folder group %r" % name, missing_ok=True)
    if isinstance(obj, dict) and obj.get("name") not in (None, ""):
        return obj
    return None


# -- cloud drive folders ------------------------------------------------------------------------------------------

FOLDER_ATTRIBUTES = ["uid", "baseObjectRef", "owner", "group", "description", "enableSyncWinNtExtendedAttributes",
                     "folderQuota", "isDeleted"]


def folder_view(obj, tenant):
    quota = obj.get("folderQuota")
    return {"name": as_text(obj["name"]), "owner": name_of_ref(obj.get("owner")), "group": name_of_ref(obj.get("group")),
            "description": as_text(obj.get("description")) or None,
            "winacls": bool(obj.get("enableSyncWinNtExtendedAttributes")),
            "quota_gb": int(quota) if quota not in (None, "") else 0, "deleted": bool(obj.get("isDeleted")),
            "tenant": tenant}


def list_folders(session, name=None, owner=None, include_deleted=True):
    """Cloud drive folder objects (``query`` on ``/cloudDrives``, as drives.find and drives.all build it)."""
    filters = []
    if name is not None:
        filters.append(name_filter(name))
    if owner is not None:
        filters.append(name_filter(owner, "owner", "RefFilter"))
    param = {"_classname": "QueryParams", "include": FOLDER_ATTRIBUTES + ["name"]}
    if filters:
        param.update(filters=filters, orFilter=False)
    if include_deleted:
        param["includeDeleted"] = True
    return [obj for obj in query_all(session, session.path("cloudDrives"), param, "list cloud folders")
            if obj.get("name") is not None and (name is None or as_text(obj["name"]) == name) and (
                owner is None or name_of_ref(obj.get("owner")) == owner)]


def find_folder(session, name, owner):
    found = list_folders(session, name, owner)
    return found[0] if found else None


def folder_path(session, display_name, name):
    """What drives.recover hands files.undelete: ``/{ctx}/webdav/Users/{owner's display name}/{folder}``, encoded."""
    return "/%s/webdav/%s" % (session.context, quote("Users/%s/%s" % (display_name, name)))


# -- zones ----------------------------------------------------------------------------------------------------

def find_zone(session, name):
    """The zone's display info (zones.get: ``getZonesDisplayInfo`` filtered by name), or None."""
    param = {"_classname": "QueryParams", "startFrom": 0, "countLimit": 1, "filters": [name_filter(name)],
             "orFilter": False}
    page = session.execute(session.path(), "getZonesDisplayInfo", param, what="read zone %r" % name) or {}
    for obj in page.get("objects") or []:
        if as_text(obj.get("name")) == name:
            return obj
    return None


def zone_query(zone_id, delta_kind):
    """A ``ZoneQuery`` as cloudfs.py builds it for getZoneFolders / getZoneDevices."""
    delta = {"_classname": "ZoneDelta"}
    if delta_kind == "folders":
        delta["policyDelta"] = []
    else:
        delta["devicesDelta"] = {"_classname": "ZoneDeviceDelta", "added": [], "removed": []}
    return {"_classname": "ZoneQuery", "zoneId": zone_id,
            "query": {"_classname": "QueryParams", "startFrom": 0, "countLimit": PAGE, "orFilter": True},
            "delta": delta}


def zone_members(session, zone_id, kind):
    """Folder or device rows of a zone, every page."""
    param = zone_query(zone_id, kind)
    method = "getZoneFolders" if kind == "folders" else "getZoneDevices"
    rows = []
    while True:
        page = session.execute(session.path(), method, param, what="list %s of zone %s" % (kind, zone_id)) or {}
        objects = page.get("objects") or []
        rows += objects
        if not page.get("hasMore") or not objects:
            return rows
        param["query"]["startFrom"] += PAGE


def read_zone(session, name, tenant):
    """``(view, members)``: the zone's view, and its current folder and device rows by key; None if no zone."""
    info = find_zone(session, name)
    if info is None:
        return None, None
    zone_id = info["zoneId"]
    basic = session.execute(session.path(), "getZoneBasicInfo", zone_id, what="read zone %r" % name) or {}
    folders = dict(((as_text(row["name"]), name_of_ref(row.get("owner"))), row)
                   for row in zone_members(session, zone_id, "folders"))
    devices = dict((as_text(row["name"]), row) for row in zone_members(session, zone_id, "devices"))
    view = {"name": as_text(basic.get("name") or info["name"]),
            "description": as_text(basic.get("description")) or None,
            "folders": sorted(({"name": n, "owner": o} for n, o in folders), key=lambda f: (f["owner"] or "", f["name"])),
            "devices": sorted(devices), "tenant": tenant}
    return view, {"id": zone_id, "policy": basic.get("policyType") or info.get("policyType"), "folders": folders,
                  "devices": devices}


def save_zone_param(name, policy, description, zone_id):
    """A ``SaveZoneParam`` as cloudfs.py ``_zone_param`` builds it (empty device delta)."""
    return {"_classname": "SaveZoneParam",
            "basicInfo": {"_classname": "ZoneBasicInfo", "name": name, "policyType": policy,
                          "description": description, "zoneId": zone_id},
            "delta": {"_classname": "ZoneDelta",
                      "devicesDelta": {"_classname": "ZoneDeviceDelta", "added": [], "removed": []}}}


def check_zone_answer(answer, what):
    """``addZone``/``saveZone`` answer ``rc`` ``OK`` (cloudfs.py ``_process_response``)."""
    if not isinstance(answer, dict) or answer.get("rc") != "OK":
        detail = answer.get("msg") or answer.get("rc") if isinstance(answer, dict) else answer
        raise ApiError("%s: the portal answered %s" % (what, detail))


def device_uids(session, names):
    """``{name: uid}`` of the tenant's devices among ``names`` (devices.by_name: ``query`` on ``/devices``)."""
    if not names:
        return {}
    param = {"_classname": "QueryParams", "include": ["name", "uid"], "filters": [name_filter(n) for n in names],
             "orFilter": len(names) > 1}
    listing = query_all(session, session.path("devices"), param, "list devices")
    return dict((as_text(obj["name"]), obj["uid"]) for obj in listing if obj.get("name") in names)


def owner_uid(folder_obj):
    """The owner's uid in a folder's owner reference (cloudfs.py ``_find_folders`` takes the first number)."""
    match = re.search("[1-9][0-9]*", str(folder_obj.get("owner") or ""))
    return int(match.group(0)) if match else None
