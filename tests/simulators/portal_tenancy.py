# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Portal simulator's tenancy and cloud folder calls, as cterasdk 2.20.50 makes them (core/plans.py,
core/portals.py, core/cloudfs.py, core/files/io.py ``restoreResources``).

``TenancyMixin`` is a base class of ``simulators.portal.PortalService``: its routes and root methods are merged
into the Portal's tables (``_tenancy_routes``, ``_tenancy_methods``). What it infers is listed in the Portal
simulator's docstring under "Tenancy and cloud folders".

State, per tenant record: ``folder_groups`` (by name), ``cloud_drives`` (by uid: name, owner uid, group uid,
description, Windows ACLs, quota, deleted), ``zones`` (by id: name, description, policy, folder uids, device
uids). Plans (global) keep ``services``, ``retention`` and ``items`` (quotas) next to what portal.py keeps.
"""

from __future__ import annotations

import re
import urllib.parse

PLAN_SERVICE_STATES = ("OK", "Disabled", "Lite")
RETENTION_KEYS = ("retainAll", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly", "retainDeleted")
ZONE_POLICIES = ("selectedFolders", "allFolders", "noFolders")


class _Portal:
    """The Portal simulator's module, read when a handler runs (portal.py imports this file, so not before)."""

    def __getattr__(self, name):
        from simulators import portal  # pylint: disable=import-outside-toplevel
        return getattr(portal, name)


P = _Portal()


def _text(value):
    return None if value is None or value == "" else str(value)


def _uid_of_ref(ref, classname):
    """The uid of a reference ``objs/{uid}/{tenant}/{classname}/{name}`` (None when it is not one)."""
    match = re.match(r"^/?objs/(\d+)/[^/]*/%s/" % re.escape(classname), str(ref or ""))
    return int(match.group(1)) if match else None


class TenancyMixin:
    """Plans (add, modify, delete), tenant modification, folder groups, cloud drive folders, zones."""

    # -- tables merged into the Portal's ----------------------------------------------------------------------
    def _tenancy_routes(self, tenant, rest):
        plan = r"/+plans/+([^/]+)"
        group = r"/+foldersGroups/+([^/]+)"
        obj = r"/+objs/+(\d+)"
        return [
            ("GET", r"/+defaults/+Plan/*", self._plan_defaults),
            ("POST", r"/+plans/*", self._plans_call),
            ("PUT", plan + r"/*", self._put_plan),
            ("DELETE", plan + r"/*", self._delete_plan),
            ("PUT", r"/+(?:portals|teamPortals)/+([^/]+)/*", self._put_portal),
            ("GET", r"/+foldersGroups/*", tenant(self._list_folder_groups)),
            ("POST", r"/+foldersGroups/*", tenant(self._folder_groups_call)),
            ("GET", group + rest, tenant(self._get_folder_group)),
            ("PUT", group + r"/*", tenant(self._put_folder_group)),
            ("POST", group + r"/*", tenant(self._folder_group_call)),
            ("GET", r"/+cloudDrives/*", tenant(self._list_cloud_drives)),
            ("POST", r"/+cloudDrives/*", tenant(self._cloud_drives_call)),
            ("GET", obj + rest, tenant(self._get_obj)),
            ("PUT", obj + rest, tenant(self._put_obj)),
            ("POST", obj + rest, tenant(self._obj_call)),
        ]

    def _tenancy_methods(self):
        """Methods of ``POST /{ctx}/api`` (each takes the session and the envelope's param)."""
        return {
            "createFolderGroup": self._create_folder_group,
            "addCloudDrive": self._add_cloud_drive,
            "restoreResources": self._restore_resources,
            "getZonesDisplayInfo": self._zones_display_info,
            "getZoneBasicInfo": self._zone_basic_info,
            "getZoneFolders": self._zone_folders,
            "getZoneDevices": self._zone_devices,
            "addZone": self._add_zone,
            "saveZone": self._save_zone,
            "deleteZones": self._delete_zones,
        }

    # -- plans -------------------------------------------------------------------------------------------------
    def _plan_defaults(self, _request, session):
        """``GET /defaults/Plan`` (cterasdk plans.add starts from it): a Plan with no name and the default content."""
        self._require_global(session)
        template = self._plan_obj({"uid": 0, "name": None, "createDate": None, "modifiedDate": None})
        for key in ("uid", "baseObjectRef", "createDate", "modifiedDate"):
            template[key] = None
        return P.xml_response(template)

    def _plans_call(self, request, session):
        self._require_global(session)
        return self._call(request, {"query": lambda param: P.xml_response(P.run_query(self._plans(session), param)),
                                    "add": self._add_plan})

    def _plan_content(self, data):
        """Services, retention and items (quotas) of a Plan object as sent; 400 for values a plan cannot hold."""
        if not isinstance(data, dict):
            raise P.ApiError(400, "Expected a Plan object")
        services = {}
        for service in data.get("services") or []:
            if not isinstance(service, dict) or service.get("serviceName") not in P.PLAN_SERVICES:
                raise P.ApiError(400, "Unknown plan service: %s" % (service or {}).get("serviceName"))
            if service.get("serviceState") not in PLAN_SERVICE_STATES:
                raise P.ApiError(400, "Invalid state %s of service %s (%s)" % (
                    service.get("serviceState"), service["serviceName"], ", ".join(PLAN_SERVICE_STATES)))
            services[service["serviceName"]] = service["serviceState"]
        retention = {}
        policy = data.get("retentionPolicy") or {}
        for key in RETENTION_KEYS:
            value = P.as_int(policy.get(key))
            if policy.get(key) is not None and (value is None or value < 0):
                raise P.ApiError(400, "Invalid retention %s: %s" % (key, policy.get(key)))
            if value is not None:
                retention[key] = value
        items = {}
        for item in P.PLAN_ITEMS + ("storage",):
            raw = (data.get(item) or {}).get("amount") if isinstance(data.get(item), dict) else None
            value = P.as_int(raw)
            if raw is not None and (value is None or value < 0):
                raise P.ApiError(400, "Invalid amount of %s: %s" % (item, raw))
            if value is not None:
                items[item] = value
        return {"services": services, "retention": retention, "items": items}

    def _add_plan(self, param):
        name = _text((param or {}).get("name") if isinstance(param, dict) else None)
        if name is None or P.BAD_NAME_RE.search(name):
            raise P.ApiError(400, "Invalid plan name: %s" % name)
        if name in self.state["plans"]:
            raise P.ApiError(409, "Plan %s already exists" % name)
        content = self._plan_content(param)
        self._new_plan(self.state, name)
        self.state["plans"][name].update(content)
        self.save()
        return P.xml_response(self._plan_ref(self.state["plans"][name]))

    def _put_plan(self, request, session, name):
        """``PUT /plans/{name}`` with the whole Plan (cterasdk plans.modify); a new ``name`` renames it."""
        self._require_global(session)
        plan = self.state["plans"].get(name)
        if plan is None:
            raise P.ApiError(404, "Plan %s does not exist" % name)
        data = P.fromxml(request.body)
        content = self._plan_content(data)
        new_name = _text(data.get("name")) or name
        if new_name != name:
            if new_name in self.state["plans"]:
                raise P.ApiError(409, "Plan %s already exists" % new_name)
            del self.state["plans"][name]
            self.state["plans"][new_name] = plan
            for record in self.state["tenants"].values():
                if record.get("plan") == name:
                    record["plan"] = new_name
        plan.update(content, name=new_name, modifiedDate=P.now_iso())
        self.save()
        return P.xml_response(None)

    def _delete_plan(self, _request, session, name):
        """``DELETE /plans/{name}``; a plan that tenants (also trashed ones) subscribe to is refused (400)."""
        self._require_global(session)
        if name not in self.state["plans"]:
            raise P.ApiError(404, "Plan %s does not exist" % name)
        users = sorted(r["name"] for r in self.state["tenants"].values() if r.get("plan") == name)
        if users:
            raise P.ApiError(400, "Plan %s is assigned to tenants: %s" % (name, ", ".join(users)))
        del self.state["plans"][name]
        self.save()
        return P.xml_response(None)

    # -- tenants -------------------------------------------------------------------------------------------------
    def _put_portal(self, request, session, name):
        """``PUT /portals/{name}`` with the whole TeamPortal object: display name, billing id, company, comment (the
        name and the plan are not changed here: ``subscribe`` changes the plan). The answer depends on the mode
        ``tenant_put`` (an inferred request; see "Tenant changes" in portal.py)."""
        mode = self.state["sim"]["tenant_put"]
        if mode == "not_allowed":
            raise P.ApiError(405, "Method Not Allowed")
        record = self._managed_portal(session, name)
        data = P.fromxml(request.body)
        if not isinstance(data, dict):
            raise P.ApiError(400, "Expected a TeamPortal object")
        if _text(data.get("name")) not in (None, name):
            raise P.ApiError(400, "A tenant cannot be renamed")
        if mode == "whole_object":
            missing = sorted(key for key in self._portal_obj(record) if not key.startswith("@") and key not in data)
            if missing:
                raise P.ApiError(400, "Expected the whole TeamPortal object; missing: %s" % ", ".join(missing))
        if mode == "ignored":
            return P.xml_response(None)
        for key in ("displayName", "companyName", "externalPortalId", "comment"):
            record[key] = _text(data.get(key))
        self.save()
        return P.xml_response(self._portal_obj(record) if mode == "object" else None)

    # -- users, by reference -------------------------------------------------------------------------------------
    def _user_by_uid(self, tenant, uid):
        return next((u for u in self.state["tenants"][tenant]["users"].values() if u["uid"] == uid), None)

    def _user_of_ref(self, tenant, ref, what="owner"):
        uid = _uid_of_ref(ref, "PortalUser")
        user = self._user_by_uid(tenant, uid) if uid is not None else None
        if user is None or not str(ref).rstrip("/").endswith("/" + user["name"]):
            raise P.ApiError(404, "%s %s does not exist" % (what.capitalize(), ref))
        return user

    # -- folder groups -------------------------------------------------------------------------------------------
    def _folder_groups(self, tenant):
        return self.state["tenants"][tenant].setdefault("folder_groups", {})

    def _folder_group_obj(self, tenant, group):
        owner = self._user_by_uid(tenant, group.get("owner")) if group.get("owner") is not None else None
        return {"@class": "FolderGroup", "name": group["name"], "uid": group["uid"],
                "baseObjectRef": "objs/%d/%s/FolderGroup/%s" % (group["uid"], tenant, group["name"]),
                "owner": self._user_ref(tenant, owner) if owner else None, "disabled": False,
                "deduplicationMethodType": group.get("deduplicationMethodType"), "storageClass": None,
                "createDate": group.get("createDate")}

    def _folder_group_of_ref(self, tenant, ref):
        uid = _uid_of_ref(ref, "FolderGroup")
        for group in self._folder_groups(tenant).values():
            if group["uid"] == uid:
                return group
        raise P.ApiError(404, "Folder group %s does not exist" % ref)

    def _create_folder_group(self, session, param):
        """``createFolderGroup`` (cterasdk cloudfs.groups.add): name, owner reference or null, deduplication."""
        tenant = self._require_tenant(session)
        self._require_write(session)
        if not isinstance(param, dict):
            raise P.ApiError(400, "Expected a folder group")
        name = _text(param.get("name"))
        if name is None or not name.strip() or P.BAD_NAME_RE.search(name):
            raise P.ApiError(400, "Invalid folder group name: %s" % name)
        groups = self._folder_groups(tenant)
        if name in groups:
            raise P.ApiError(409, "Folder group %s already exists" % name)
        owner = self._user_of_ref(tenant, param["owner"])["uid"] if param.get("owner") else None
        group = {"uid": self._uid(), "name": name, "owner": owner, "createDate": P.now_iso(),
                 "deduplicationMethodType": _text(param.get("deduplicationMethodType"))}
        groups[name] = group
        self.save()
        return P.xml_response(self._folder_group_obj(tenant, group)["baseObjectRef"])

    def _folder_group_objs(self, tenant, param):
        owned_by = P.as_int((param or {}).get("ownedBy")) if isinstance(param, dict) else None
        return [self._folder_group_obj(tenant, g) for g in sorted(self._folder_groups(tenant).values(),
                                                                  key=lambda g: g["uid"])
                if owned_by is None or g.get("owner") == owned_by]

    def _list_folder_groups(self, _request, _session, tenant):
        return P.xml_response(self._folder_group_objs(tenant, None))

    def _folder_groups_call(self, request, session, tenant):
        return self._call(request, {"query": lambda param: P.xml_response(
            P.run_query(self._folder_group_objs(tenant, param), param))})

    def _get_folder_group(self, _request, _session, tenant, name, path=None):
        group = self._folder_groups(tenant).get(name)
        if group is None:
            return self._missing_get("Folder group %s" % name)
        return P._read(self._folder_group_obj(tenant, group), path)  # pylint: disable=protected-access

    def _put_folder_group(self, request, session, tenant, name):
        """``PUT /foldersGroups/{name}`` with the whole object (cterasdk groups.modify): rename, owner."""
        self._require_write(session)
        groups = self._folder_groups(tenant)
        group = groups.get(name)
        if group is None:
            raise P.ApiError(404, "Folder group %s does not exist" % name)
        data = P.fromxml(request.body)
        if not isinstance(data, dict):
            raise P.ApiError(400, "Expected a FolderGroup object")
        new_name = _text(data.get("name")) or name
        if P.BAD_NAME_RE.search(new_name):
            raise P.ApiError(400, "Invalid folder group name: %s" % new_name)
        if new_name != name and new_name in groups:
            raise P.ApiError(409, "Folder group %s already exists" % new_name)
        group["owner"] = self._user_of_ref(tenant, data["owner"])["uid"] if data.get("owner") else None
        if new_name != name:
            del groups[name]
            group["name"] = new_name
            groups[new_name] = group
        self.save()
        return P.xml_response(None)

    def _folder_group_call(self, request, session, tenant, name):
        group = self._folder_groups(tenant).get(name)
        return self._call(request, {
            "get-multi": lambda param: self._get_multi(self._folder_group_obj(tenant, group) if group else None,
                                                       param, "Folder group %s" % name),
            "deleteGroup": lambda _param: self._delete_folder_group(session, tenant, name)})

    def _delete_folder_group(self, session, tenant, name):
        """``deleteGroup``: refused (400) while cloud folders, also deleted ones, are in the group."""
        self._require_write(session)
        group = self._folder_groups(tenant).get(name)
        if group is None:
            raise P.ApiError(404, "Folder group %s does not exist" % name)
        inside = sorted(d["name"] for d in self._cloud_drives(tenant).values() if d["group"] == group["uid"])
        if inside:
            raise P.ApiError(400, "Folder group %s is not empty: %s" % (name, ", ".join(inside)))
        del self._folder_groups(tenant)[name]
        self.save()
        return P.xml_response(None)

    # -- cloud drive folders -------------------------------------------------------------------------------------
    def _cloud_drives(self, tenant):
        return self.state["tenants"][tenant].setdefault("cloud_drives", {})

    @staticmethod
    def _display_name(user):
        """A user's display name: first and last name, or the user name when both are empty."""
        full = " ".join(part for part in (user.get("firstName"), user.get("lastName")) if part)
        return full or user["name"]

    def _cloud_drive_obj(self, tenant, drive):
        owner = self._user_by_uid(tenant, drive["owner"])
        group = next((g for g in self._folder_groups(tenant).values() if g["uid"] == drive["group"]), None)
        owner_name = owner["name"] if owner else ""
        return {
            "@class": "CloudDrive", "name": drive["name"], "uid": drive["uid"],
            "baseObjectRef": "objs/%d/%s/CloudDrive/%s" % (drive["uid"], tenant, drive["name"]),
            "owner": self._user_ref(tenant, owner) if owner else None, "ownerName": owner_name,
            "group": self._folder_group_obj(tenant, group)["baseObjectRef"] if group else None,
            "description": drive.get("description"),
            "enableSyncWinNtExtendedAttributes": bool(drive.get("winacls")),
            "folderQuota": drive.get("quota"), "isDeleted": bool(drive.get("deleted")),
            "createDate": drive.get("createDate"), "openStorageEnabled": False,
            "extendedAttributes": drive.get("extendedAttributes"), "archiveSettings": drive.get("archiveSettings"),
            "wormSettings": drive.get("wormSettings"),
            "globalFileLockSettings": drive.get("globalFileLockSettings") or {
                "@class": "GlobalFileLockSettings", "enabled": False, "globalFileLockExtensions": []},
        }

    def _drive_fields(self, tenant, data, existing=None):
        """Validated fields of a CloudDrive object (add or the whole object of a PUT)."""
        if not isinstance(data, dict):
            raise P.ApiError(400, "Expected a cloud drive folder")
        name = _text(data.get("name"))
        if name is None or not name.strip() or P.BAD_NAME_RE.search(name) or len(name) > 255:
            raise P.ApiError(400, "Invalid folder name: %s" % name)
        if not data.get("owner"):
            raise P.ApiError(400, "A cloud drive folder needs an owner")
        owner = self._user_of_ref(tenant, data["owner"])["uid"]
        if not data.get("group"):
            raise P.ApiError(400, "A cloud drive folder needs a folder group")
        group = self._folder_group_of_ref(tenant, data["group"])["uid"]
        for other in self._cloud_drives(tenant).values():
            if other is not existing and other["owner"] == owner and other["name"] == name:
                raise P.ApiError(409, "Folder %s of this owner already exists%s"
                                 % (name, " (in the recycle bin)" if other.get("deleted") else ""))
        quota = data.get("folderQuota")
        if quota in (None, ""):
            quota = None
        else:
            quota = P.as_int(quota)
            if quota is None or quota < 1:
                raise P.ApiError(400, "Invalid folder quota (GB): %s" % data.get("folderQuota"))
        return {"name": name, "owner": owner, "group": group, "description": _text(data.get("description")),
                "winacls": P.as_bool(data.get("enableSyncWinNtExtendedAttributes") or False), "quota": quota,
                "extendedAttributes": data.get("extendedAttributes"), "archiveSettings": data.get("archiveSettings"),
                "wormSettings": data.get("wormSettings"), "globalFileLockSettings": data.get("globalFileLockSettings")}

    def _add_cloud_drive(self, session, param):
        """``addCloudDrive`` (cterasdk cloudfs.drives.add). Answers the folder's path, ``.../Users/{owner's display
        name}/{name}`` (the SDK keeps what follows ``/Users``)."""
        tenant = self._require_tenant(session)
        self._require_write(session)
        drive = dict(self._drive_fields(tenant, param), uid=self._uid(), deleted=False, createDate=P.now_iso())
        self._cloud_drives(tenant)[str(drive["uid"])] = drive
        self.save()
        owner = self._user_by_uid(tenant, drive["owner"])
        return P.xml_response("/%s/webdav/Users/%s/%s" % ("admin" if session["kind"] == "global" else "ServicesPortal",
                                                          self._display_name(owner), drive["name"]))

    def _drive_objs(self, tenant, param):
        """Cloud drive folders a ``query`` lists: without ``includeDeleted`` only live ones; ``ownedBy`` a user uid.
        A ``RefFilter`` on ``owner`` compares the owner's name (cterasdk drives.find)."""
        param = param if isinstance(param, dict) else {}
        include_deleted = P.as_bool(param.get("includeDeleted") or False)
        owned_by = P.as_int(param.get("ownedBy"))
        objs = []
        for drive in sorted(self._cloud_drives(tenant).values(), key=lambda d: d["uid"]):
            if (drive.get("deleted") and not include_deleted) or (owned_by is not None and drive["owner"] != owned_by):
                continue
            objs.append(self._cloud_drive_obj(tenant, drive))
        return objs

    @staticmethod
    def _ref_filters(param):
        """``param`` with each ``RefFilter`` on ``owner`` turned into a name filter on ``ownerName``."""
        if not isinstance(param, dict) or not isinstance(param.get("filters"), list):
            return param
        filters = []
        for flt in param["filters"]:
            if isinstance(flt, dict) and flt.get("@class") == "RefFilter" and flt.get("field") == "owner":
                flt = dict(flt, field="ownerName", **{"@class": "StringFilter"})
            filters.append(flt)
        return dict(param, filters=filters)

    def _list_cloud_drives(self, _request, _session, tenant):
        return P.xml_response(self._drive_objs(tenant, None))

    def _cloud_drives_call(self, request, session, tenant):
        def query(param):
            result = P.run_query(self._drive_objs(tenant, param), self._ref_filters(param))
            for obj in result["objects"]:
                obj.pop("ownerName", None)  # an attribute of the simulator's filter only
            return P.xml_response(result)
        return self._call(request, {"query": query})

    def _drive_of_uid(self, tenant, uid):
        drive = self._cloud_drives(tenant).get(str(uid))
        if drive is None:
            raise P.ApiError(404, "Object %s does not exist" % uid)
        return drive

    def _get_obj(self, _request, _session, tenant, uid, _path=None):
        """``GET /objs/{uid}/...`` (cterasdk drives.modify reads the folder by its ``baseObjectRef``)."""
        obj = self._cloud_drive_obj(tenant, self._drive_of_uid(tenant, uid))
        del obj["ownerName"]
        return P.xml_response(obj)

    def _put_obj(self, request, session, tenant, uid, _path=None):
        """``PUT /objs/{uid}/...`` with the whole CloudDrive (drives.modify): name, owner, group, description,
        Windows ACLs, quota."""
        self._require_write(session)
        drive = self._drive_of_uid(tenant, uid)
        if drive.get("deleted"):
            raise P.ApiError(400, "Folder %s is in the recycle bin" % drive["name"])
        drive.update(self._drive_fields(tenant, P.fromxml(request.body), existing=drive))
        self.save()
        return P.xml_response(None)

    def _obj_call(self, request, session, tenant, uid, _path=None):
        def delete(permanently):
            self._require_write(session)
            drive = self._drive_of_uid(tenant, uid)
            if permanently:
                del self._cloud_drives(tenant)[str(uid)]
                for zone in self._zones(tenant).values():
                    zone["folders"] = [f for f in zone["folders"] if f != drive["uid"]]
            else:
                drive["deleted"] = True
            self.save()
            return P.xml_response(None)
        return self._call(request, {"delete": lambda _param: delete(False),
                                    "deleteFolderPermanently": lambda _param: delete(True)})

    def _restore_resources(self, session, param):
        """``restoreResources`` (cterasdk files.undelete, as drives.recover calls it): each ``src`` is
        ``/{ctx}/webdav/Users/{owner's display name}/{folder}``; a deleted cloud drive folder there comes back.
        Answers a background task reference."""
        tenant = self._require_tenant(session)
        self._require_write(session)
        urls = (param or {}).get("urls") if isinstance(param, dict) else None
        if not isinstance(urls, list) or not urls:
            raise P.ApiError(400, "Expected an ActionResourcesParam with urls")
        found = []
        for entry in urls:
            src = urllib.parse.unquote(str((entry or {}).get("src") or ""))
            match = re.match(r"^/(?:admin|ServicesPortal)/webdav/Users/([^/]+)/([^/]+)/?$", src)
            drive = None
            if match:
                for candidate in self._cloud_drives(tenant).values():
                    owner = self._user_by_uid(tenant, candidate["owner"])
                    if candidate["name"] == match.group(2) and owner and self._display_name(owner) == match.group(1) \
                            and candidate.get("deleted"):
                        drive = candidate
            if drive is None:
                raise P.ApiError(404, "No deleted folder at %s" % src)
            found.append(drive)
        for drive in found:
            drive["deleted"] = False
        self.save()
        return P.xml_response(self._new_task("Restore resources", tenant))

    # -- zones -----------------------------------------------------------------------------------------------------
    def _zones(self, tenant):
        return self.state["tenants"][tenant].setdefault("zones", {})

    def _zone(self, tenant, zone_id):
        zone = self._zones(tenant).get(str(P.as_int(zone_id)))
        if zone is None:
            raise P.ApiError(404, "Zone %s does not exist" % zone_id)
        return zone

    def _zone_display(self, zone):
        return {"@class": "ZoneDisplayInfo", "zoneId": zone["zoneId"], "name": zone["name"],
                "description": zone.get("description"), "policyType": zone["policyType"],
                "totalFolders": len(zone["folders"]), "totalDevices": len(zone["devices"])}

    def _zones_display_info(self, session, param):
        tenant = self._require_tenant(session)
        zones = sorted(self._zones(tenant).values(), key=lambda z: z["zoneId"])
        return P.xml_response(P.run_query([self._zone_display(z) for z in zones], param))

    def _zone_basic_info(self, session, param):
        zone = self._zone(self._require_tenant(session), param)
        return P.xml_response({"@class": "ZoneBasicInfo", "zoneId": zone["zoneId"], "name": zone["name"],
                               "policyType": zone["policyType"], "description": zone.get("description")})

    def _zone_query(self, session, param):
        tenant = self._require_tenant(session)
        if not isinstance(param, dict):
            raise P.ApiError(400, "Expected a ZoneQuery")
        return tenant, self._zone(tenant, param.get("zoneId")), param.get("query") or {}

    def _zone_folders(self, session, param):
        """``getZoneFolders``: the zone's cloud drive folders (uid, name, owner reference, owner name, group)."""
        tenant, zone, query = self._zone_query(session, param)
        drives = self._cloud_drives(tenant)
        objs = []
        for uid in zone["folders"]:
            drive = drives.get(str(uid))
            if drive is not None:
                obj = self._cloud_drive_obj(tenant, drive)
                objs.append({"@class": "ZoneFolderInfo", "uid": obj["uid"], "name": obj["name"], "owner": obj["owner"],
                             "ownerName": obj["ownerName"], "group": obj["group"], "isDeleted": obj["isDeleted"]})
        return P.xml_response(P.run_query(objs, query))

    def _zone_devices(self, session, param):
        """``getZoneDevices``: the zone's devices (uid, name, device type)."""
        tenant, zone, query = self._zone_query(session, param)
        devices = {d["uid"]: d for d in self.state["tenants"][tenant].get("devices", {}).values()}
        objs = [{"@class": "ZoneDeviceInfo", "uid": uid, "name": devices[uid]["name"],
                 "deviceType": devices[uid].get("deviceType")} for uid in zone["devices"] if uid in devices]
        return P.xml_response(P.run_query(objs, query))

    @staticmethod
    def _zone_answer(rc="OK", msg=None):
        return P.xml_response({"@class": "ZoneOperationResult", "rc": rc, "msg": msg})

    def _zone_basic(self, tenant, param, zone=None):
        """Name, description and policy of a SaveZoneParam's ``basicInfo``; None and an ``rc`` when refused."""
        info = (param or {}).get("basicInfo") if isinstance(param, dict) else None
        if not isinstance(info, dict):
            raise P.ApiError(400, "Expected a SaveZoneParam with basicInfo")
        name = _text(info.get("name"))
        if name is None or not name.strip() or P.BAD_NAME_RE.search(name):
            return None, ("InvalidName", "Invalid zone name: %s" % name)
        if any(z["name"].lower() == name.lower() and z is not zone for z in self._zones(tenant).values()):
            return None, ("ZoneNameAlreadyExists", "Zone %s already exists" % name)
        policy = info.get("policyType") or "selectedFolders"
        if policy not in ZONE_POLICIES:
            return None, ("InvalidPolicyType", "Invalid policy type: %s" % policy)
        return {"name": name, "description": _text(info.get("description")), "policyType": policy}, None

    def _zone_delta(self, tenant, zone, param):
        """Apply a ZoneDelta (devices by uid; folders by owner uid and folder uid) to ``zone``; 404 for unknown."""
        delta = (param or {}).get("delta") or {}
        devices = {d["uid"] for d in self.state["tenants"][tenant].get("devices", {}).values()}
        device_delta = delta.get("devicesDelta") or {}
        for uid in [P.as_int(u) for u in device_delta.get("added") or []]:
            if uid not in devices:
                raise P.ApiError(404, "Device %s does not exist" % uid)
            if uid not in zone["devices"]:
                zone["devices"].append(uid)
        removed = {P.as_int(u) for u in device_delta.get("removed") or []}
        zone["devices"] = [u for u in zone["devices"] if u not in removed]
        drives = self._cloud_drives(tenant)
        for owner_delta in delta.get("policyDelta") or []:
            owner = P.as_int((owner_delta or {}).get("userUid"))
            folders = (owner_delta or {}).get("foldersDelta") or {}
            for uid in [P.as_int(u) for u in folders.get("added") or []]:
                drive = drives.get(str(uid))
                if drive is None or drive["owner"] != owner:
                    raise P.ApiError(404, "Folder %s of user %s does not exist" % (uid, owner))
                if uid not in zone["folders"]:
                    zone["folders"].append(uid)
            removed = {P.as_int(u) for u in folders.get("removed") or []}
            zone["folders"] = [u for u in zone["folders"] if u not in removed]

    def _add_zone(self, session, param):
        """``addZone`` (cterasdk zones.add): answers ``rc`` ``OK``, or another ``rc`` with ``msg`` when refused."""
        tenant = self._require_tenant(session)
        self._require_write(session)
        basic, refused = self._zone_basic(tenant, param)
        if refused:
            return self._zone_answer(*refused)
        zone = dict(basic, zoneId=self._uid(), folders=[], devices=[])
        self._zone_delta(tenant, zone, param)
        self._zones(tenant)[str(zone["zoneId"])] = zone
        self.save()
        return self._zone_answer()

    def _save_zone(self, session, param):
        """``saveZone`` (zones.add_devices, add_folders): basic info of ``basicInfo.zoneId`` and the delta."""
        tenant = self._require_tenant(session)
        self._require_write(session)
        zone = self._zone(tenant, ((param or {}).get("basicInfo") or {}).get("zoneId") if isinstance(param, dict)
                          else None)
        basic, refused = self._zone_basic(tenant, param, zone)
        if refused:
            return self._zone_answer(*refused)
        changed = dict(zone, folders=list(zone["folders"]), devices=list(zone["devices"]), **basic)
        self._zone_delta(tenant, changed, param)
        zone.update(changed)
        self.save()
        return self._zone_answer()

    def _delete_zones(self, session, param):
        """``deleteZones`` with a list of zone ids; answers ``ok``."""
        tenant = self._require_tenant(session)
        self._require_write(session)
        ids = param if isinstance(param, list) else [param]
        for zone_id in ids:
            self._zone(tenant, zone_id)
        for zone_id in ids:
            self._zones(tenant).pop(str(P.as_int(zone_id)), None)
        self.save()
        return P.xml_response("ok")

    # -- what a connected filer sees -------------------------------------------------------------------------------
    def _device_drives(self, tenant, device_name, username):
        """The live cloud drive folder records a filer of ``tenant`` sees: those of the zones that hold the device,
        or, when no zone holds it, those owned by ``username`` (the user it connected as)."""
        record = self._tenant_record(tenant)
        if record is None:
            return []
        device = record.get("devices", {}).get(device_name)
        drives = self._cloud_drives(tenant)
        zones = [z for z in self._zones(tenant).values() if device is not None and device["uid"] in z["devices"]]
        if zones:
            uids = []
            for zone in zones:
                uids += [u for u in zone["folders"] if u not in uids]
        else:
            user = record["users"].get(username)
            uids = [d["uid"] for d in drives.values() if user is not None and d["owner"] == user["uid"]]
        return [drives[str(u)] for u in uids if str(u) in drives and not drives[str(u)]["deleted"]]

    def cloud_folders_for_device(self, tenant, device_name, username):
        """Names of the live cloud drive folders a filer of ``tenant`` sees (``_device_drives``)."""
        with self.lock:
            return sorted(d["name"] for d in self._device_drives(tenant, device_name, username))

    def cloud_folder_paths_for_device(self, tenant, device_name, username):
        """The same folders as paths under the filer's ``cloud/users`` namespace: ``{owner's display name}/{folder}``
        (cterasdk core/types.py ``Share.absolute``: ``/cloud/users/{path}``; the Portal's own folder paths are
        ``Users/{owner's display name}/{folder}``, as addCloudDrive answers)."""
        with self.lock:
            paths = []
            for drive in self._device_drives(tenant, device_name, username):
                owner = self._user_by_uid(tenant, drive["owner"])
                paths.append("%s/%s" % (self._display_name(owner) if owner else "unknown", drive["name"]))
            return sorted(paths)
