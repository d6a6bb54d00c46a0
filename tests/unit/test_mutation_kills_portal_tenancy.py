# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tenants, plans, folder groups, cloud folders and zones of _portal_tenancy against a scripted Portal session
(mutation testing, docs/mutation.md): every request as cterasdk 2.20.50 sends it (method, path, parameters, what
an error names), every page of every paged listing, the views the modules return, and the errors of failed tasks
and refused zone writes."""

import copy

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _portal_tenancy as tenancy
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError

GIB = 1024 ** 3


class Portal:
    """Answers each call from ``answers`` (a value, or a function of the call's parameter); records every call."""

    def __init__(self, answers=None, tenant=None, global_admin=True):
        self.answers = answers or {}
        self.calls = []
        self.current_tenant = tenant
        self.wanted_tenant = "previous"
        self.is_global_admin = global_admin
        self.cache = {"groups": "stale"}
        self.context = "admin"

    @staticmethod
    def path(*segments):
        return "/admin/api" + "".join("/" + str(s) for s in segments)

    def _answer(self, key, param):
        answer = self.answers.get(key)
        return answer(param) if callable(answer) else copy.deepcopy(answer)

    def execute(self, path, name, param=None, what=None):
        self.calls.append(("execute", path, name, copy.deepcopy(param), what))
        return self._answer(name, param)

    def database(self, path, name, param=None, what=None, idempotent=False, missing_ok=False):
        self.calls.append(("database", path, name, copy.deepcopy(param), what, idempotent, missing_ok))
        return self._answer(("database", path), param)

    def get_multi(self, path, attributes, what=None, missing_ok=False):
        self.calls.append(("get_multi", path, list(attributes), what, missing_ok))
        return self._answer(("get_multi", path), None)

    def get(self, path, what=None, missing_ok=False):
        self.calls.append(("get", path, what))
        return self._answer(("get", path), None)

    def call(self, method, path, body=None, what=None):
        self.calls.append(("call", method, path, body, what))


def pages(objects, nested=False):
    """A paged answer: ``objects[startFrom:startFrom + countLimit]`` and ``hasMore`` while more remain."""
    def answer(param):
        query = param["query"] if nested else param
        start, count = query["startFrom"], query["countLimit"]
        return {"objects": copy.deepcopy(objects[start:start + count]), "hasMore": start + count < len(objects)}
    return answer


class Scope:
    def __init__(self, session):
        self.session = session
        self.asked = []

    def get(self, kind, key, factory):
        self.asked.append((kind, key))
        return self.session


PARAMS = {"portal_url": "https://portal.example.com", "portal_username": "admin", "portal_password": "Pw-secret-1",
          "validate_certs": True, "ca_path": None}


# -- global administration ----------------------------------------------------------------------------------

def test_global_session_leaves_a_browsed_tenant_for_the_global_administration():
    session = Portal(tenant="acme")
    assert tenancy.global_session(Scope(session), PARAMS) is session
    assert session.calls == [("call", "PUT", "/admin/api/currentPortal", "", "browse the global administration")]
    assert session.current_tenant is None and session.wanted_tenant is None and session.cache == {}


def test_global_session_not_browsing_sends_nothing():
    session = Portal(tenant=None)
    scope = Scope(session)
    assert tenancy.global_session(scope, PARAMS) is session
    assert session.calls == [] and session.wanted_tenant is None and session.cache == {"groups": "stale"}
    assert [kind for kind, _key in scope.asked] == ["portal"]


def test_global_session_refuses_a_tenant_user_naming_portal_url_and_the_user():
    session = Portal(global_admin=False)
    with pytest.raises(ValueError) as info:
        tenancy.global_session(Scope(session), dict(PARAMS, portal_username="alice"))
    assert str(info.value) == ("portal_url must be the global administration (without /ServicesPortal): tenants and "
                               "plans are managed by a global administrator, not by 'alice'")
    assert session.calls == []


# -- paging --------------------------------------------------------------------------------------------------

def test_query_all_reads_every_page_of_a_db_query():
    objects = [{"name": "o%03d" % i} for i in range(120)]
    session = Portal({("database", "/admin/api/things"): pages(objects)})
    given = {"_classname": "QueryParams", "include": ["name"]}
    assert list(tenancy.query_all(session, "/admin/api/things", given, "list things")) == objects
    assert given == {"_classname": "QueryParams", "include": ["name"]}  # the caller's parameter is not changed
    assert [c[3]["startFrom"] for c in session.calls] == [0, 50, 100]
    for call in session.calls:
        assert call[:3] == ("database", "/admin/api/things", "query") and call[4:] == ("list things", True, False)
        assert call[3] == {"_classname": "QueryParams", "include": ["name"], "startFrom": call[3]["startFrom"],
                           "countLimit": 50}


def test_query_all_with_a_method_reads_every_page_of_the_root_method():
    objects = [{"name": "t%03d" % i} for i in range(101)]
    session = Portal({"getPortalsDisplayInfo": pages(objects)})
    assert list(tenancy.query_all(session, None, {"isTrashcan": False}, "list tenants",
                                  method="getPortalsDisplayInfo")) == objects
    assert [c[:3] for c in session.calls] == [("execute", "/admin/api", "getPortalsDisplayInfo")] * 3
    assert [c[3] for c in session.calls] == [{"isTrashcan": False, "startFrom": s, "countLimit": 50} for s in (0, 50, 100)]
    assert all(c[4] == "list tenants" for c in session.calls)


def test_query_all_ends_on_an_empty_page_or_no_answer():
    session = Portal({("database", "/p"): {"objects": [], "hasMore": True}})
    assert list(tenancy.query_all(session, "/p", {}, "x")) == [] and len(session.calls) == 1
    session = Portal({("database", "/p"): None})
    assert list(tenancy.query_all(session, "/p", {}, "x")) == [] and len(session.calls) == 1
    session = Portal({"m": {"objects": [{"name": "a"}]}})
    assert list(tenancy.query_all(session, "/p", {}, "x", method="m")) == [{"name": "a"}] and len(session.calls) == 1


def test_name_filter_is_an_exact_string_filter():
    assert tenancy.name_filter("acme") == {"_classname": "StringFilter", "field": "name", "restriction": "eq",
                                           "value": "acme"}
    assert tenancy.name_filter("objs/7", "owner", "RefFilter") == {"_classname": "RefFilter", "field": "owner",
                                                                   "restriction": "eq", "value": "objs/7"}


# -- background tasks ------------------------------------------------------------------------------------------

class Clock:
    def __init__(self, monkeypatch):
        self.now = 1000.0
        self.sleeps = []
        monkeypatch.setattr(tenancy.time, "time", lambda: self.now)
        monkeypatch.setattr(tenancy.time, "sleep", self.sleep)

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def statuses(*answers):
    answers = list(answers)
    return lambda _param: answers.pop(0)


def test_wait_for_task_in_a_tenant_polls_get_task_status(monkeypatch):
    clock = Clock(monkeypatch)
    session = Portal({"getTaskStatus": statuses({"status": "running"}, None, {"status": "completed", "id": 5})},
                     tenant="acme")
    assert tenancy.wait_for_task(session, "servers/x/bgTasks/5", "restore") == {"status": "completed", "id": 5}
    assert session.calls == [("execute", "/admin/api", "getTaskStatus", "servers/x/bgTasks/5", "restore: task status")] * 3
    assert clock.sleeps == [0.5, 0.5]


def test_wait_for_task_outside_a_tenant_reads_the_task_object(monkeypatch):
    Clock(monkeypatch)
    session = Portal({("get", "/admin/api/servers/x/bgTasks/5"): {"status": "completed"}})
    assert tenancy.wait_for_task(session, "/servers/x/bgTasks/5/", "apply plan") == {"status": "completed"}
    assert session.calls == [("get", "/admin/api/servers/x/bgTasks/5", "apply plan: task status")]


@pytest.mark.parametrize("status", ["failed", "completed with warnings", "warnings"])
def test_wait_for_task_names_a_task_that_ended_badly(monkeypatch, status):
    Clock(monkeypatch)
    session = Portal({"getTaskStatus": {"status": status, "progstring": "disk full"}}, tenant="acme")
    with pytest.raises(ApiError) as info:
        tenancy.wait_for_task(session, "t/1", "restore")
    assert str(info.value) == "restore: the portal's task ended %s (disk full)" % status


def test_wait_for_task_gives_up_after_the_timeout_with_the_last_status(monkeypatch):
    clock = Clock(monkeypatch)
    session = Portal({"getTaskStatus": {"status": "running"}}, tenant="acme")
    with pytest.raises(ApiError) as info:
        tenancy.wait_for_task(session, "t/1", "restore", timeout=2)
    assert str(info.value) == "restore: the portal's task was still 'running' after 2 s"
    assert clock.sleeps == [0.5] * 5 and len(session.calls) == 6  # polled at 0, 0.5 ... 2.0 (not over), 2.5 (over)
    clock.sleeps[:] = []
    session = Portal({"getTaskStatus": {}}, tenant="acme")
    with pytest.raises(ApiError, match="was still '' after 120 s"):
        tenancy.wait_for_task(session, "t/1", "restore")
    assert len(clock.sleeps) == 241


def test_reference_or_missing_asks_the_resource_to_predict():
    class Resource:
        expected = None

        def expect_created_earlier(self, error, warning):
            self.expected = (error, warning)
    resource = Resource()
    assert tenancy.reference_or_missing(resource, "objs/1", "e", "w") == "objs/1" and resource.expected is None
    assert tenancy.reference_or_missing(resource, None, "e", "w") is None and resource.expected == ("e", "w")


# -- tenants ---------------------------------------------------------------------------------------------------

TENANT = {"name": "acme", "displayName": "Acme Corp", "externalPortalId": 1234, "companyName": "",
          "comment": None, "plan": "objs/9/Plan/Gold/"}


def test_tenant_view_as_text_and_empty_as_none():
    assert tenancy.tenant_view(TENANT, False) == {"display_name": "Acme Corp", "billing_id": "1234", "company": None,
                                                  "comment": None, "name": "acme", "plan": "Gold", "deleted": False}
    assert tenancy.tenant_view({"name": 42}, True) == {"display_name": None, "billing_id": None, "company": None,
                                                       "comment": None, "name": "42", "plan": None, "deleted": True}


def test_list_tenants_live_and_deleted_every_page():
    tenants = [dict(TENANT, name="t%03d" % i) for i in range(60)] + [{"name": None}]
    session = Portal({"getPortalsDisplayInfo": pages(tenants)})
    views = tenancy.list_tenants(session, False)
    assert [v["name"] for v in views] == ["t%03d" % i for i in range(60)] and views[0]["plan"] == "Gold"
    assert all(v["deleted"] is False for v in views)
    assert session.calls[0] == ("execute", "/admin/api", "getPortalsDisplayInfo",
                                {"_classname": "QueryParams", "isTrashcan": False, "startFrom": 0, "countLimit": 50},
                                "list tenants")
    assert len(session.calls) == 2


def test_list_tenants_by_name_filters_on_the_server_and_keeps_only_that_name():
    session = Portal({"getPortalsDisplayInfo": {"objects": [dict(TENANT, name="acme-old"), TENANT]}})
    views = tenancy.list_tenants(session, True, "acme")
    assert [(v["name"], v["deleted"]) for v in views] == [("acme", True)]
    assert session.calls[0][3] == {"_classname": "QueryParams", "isTrashcan": True, "startFrom": 0, "countLimit": 50,
                                   "filters": [tenancy.name_filter("acme")], "orFilter": False}


def test_read_tenant_live_by_get_multi():
    session = Portal({("get_multi", "/admin/api/portals/acme"): TENANT})
    view = tenancy.read_tenant(session, "acme")
    assert view["display_name"] == "Acme Corp" and view["deleted"] is False
    assert session.calls == [("get_multi", "/admin/api/portals/acme",
                              ["displayName", "externalPortalId", "companyName", "comment", "plan"],
                              "read tenant 'acme'", True)]


@pytest.mark.parametrize("missing", [None, {"name": None}, {"name": ""}, "not an object"])
def test_read_tenant_falls_back_to_the_trash_can(missing):
    session = Portal({("get_multi", "/admin/api/portals/acme"): missing,
                      "getPortalsDisplayInfo": {"objects": [dict(TENANT, name="acme2"), TENANT]}})
    view = tenancy.read_tenant(session, "acme")
    assert view["deleted"] is True and view["name"] == "acme"
    assert session.calls[1][3]["isTrashcan"] is True and session.calls[1][3]["filters"] == [tenancy.name_filter("acme")]
    session = Portal({("get_multi", "/admin/api/portals/acme"): missing, "getPortalsDisplayInfo": {"objects": []}})
    assert tenancy.read_tenant(session, "acme") is None


def test_plan_reference():
    session = Portal({("get_multi", "/admin/api/plans/Gold"): {"name": "Gold", "baseObjectRef": "objs/9/Plan/Gold"}})
    assert tenancy.plan_reference(session, "Gold") == "objs/9/Plan/Gold"
    assert session.calls == [("get_multi", "/admin/api/plans/Gold", ["baseObjectRef"], "read plan 'Gold'", True)]
    for missing in (None, {"name": None, "baseObjectRef": "r"}, {"name": "", "baseObjectRef": "r"}, "x"):
        assert tenancy.plan_reference(Portal({("get_multi", "/admin/api/plans/Gold"): missing}), "Gold") is None


# -- plans -------------------------------------------------------------------------------------------------------

PLAN = {"name": "Gold",
        "services": [{"serviceName": "Cloud folders", "serviceState": "OK"},
                     {"serviceName": "Cloud Backup", "serviceState": "Disabled"},
                     {"serviceName": "Remote Access", "serviceState": "Lite"},
                     {"serviceName": "Seeding", "serviceState": "Odd"}, "not a service"],
        "retentionPolicy": {"retainAll": "7", "hourly": 24, "daily": 0, "retainDeleted": 30},
        "vGateways4": {"amount": "2"}, "appliances": {"amount": 0}, "storage": {"amount": 5 * GIB + 1},
        "cloudDrives": {"_classname": "PlanItem"}, "serverAgents": 3}


def test_plan_view():
    assert tenancy.plan_view(PLAN) == {
        "name": "Gold",
        "services": {"cloud_drive": "enabled", "cloud_backup": "disabled", "seeding": "Odd", "remote_access": "connect"},
        "retention": {"all": 7, "hourly": 24, "daily": 0, "weekly": None, "monthly": None, "quarterly": None,
                      "yearly": None, "deleted": 30},
        "quotas": {"ev4": 2, "ev8": None, "ev16": 0, "ev32": None, "ev64": None, "ev128": None,
                   "workstation_agents": None, "server_agents": None, "cloud_drives": None, "cloud_drives_lite": None,
                   "storage_gb": 5}}
    assert tenancy.plan_view({"name": "Empty"})["services"] == dict.fromkeys(
        ("cloud_drive", "cloud_backup", "seeding", "remote_access"))


def test_read_plan():
    session = Portal({("get_multi", "/admin/api/plans/Gold"): PLAN})
    assert tenancy.read_plan(session, "Gold")["quotas"]["storage_gb"] == 5
    assert session.calls == [("get_multi", "/admin/api/plans/Gold", tenancy.PLAN_ATTRIBUTES, "read plan 'Gold'", True)]
    assert tenancy.PLAN_ATTRIBUTES == ["services", "retentionPolicy", "vGateways4", "vGateways8", "appliances",
                                       "vGateways32", "vGateways64", "vGateways128", "workstationAgents",
                                       "serverAgents", "cloudDrives", "cloudDrivesLite", "storage"]
    for missing in (None, {"name": None}, {"name": ""}, "x"):
        assert tenancy.read_plan(Portal({("get_multi", "/admin/api/plans/Gold"): missing}), "Gold") is None


def test_apply_plan_writes_only_what_the_view_gives():
    obj = copy.deepcopy(PLAN)
    obj["services"] = obj["services"][:4]
    del obj["retentionPolicy"]
    view = {"services": {"cloud_drive": "disabled", "cloud_backup": None, "seeding": "connect", "remote_access": "enabled"},
            "retention": {"all": 0, "hourly": None, "deleted": 14},
            "quotas": {"ev4": 0, "ev8": None, "storage_gb": 3, "cloud_drives": 10}}
    assert tenancy.apply_plan(obj, view) is obj
    assert [s["serviceState"] for s in obj["services"]] == ["Disabled", "Disabled", "OK", "Lite"]
    assert obj["retentionPolicy"] == {"_classname": "RetentionPolicy", "retainAll": 0, "retainDeleted": 14}
    assert obj["vGateways4"] == {"amount": 0} and "vGateways8" not in obj
    assert obj["storage"] == {"amount": 3 * GIB}
    assert obj["cloudDrives"] == {"_classname": "PlanItem", "amount": 10}
    assert tenancy.apply_plan({"name": "New"}, {"quotas": {"ev8": 4}}) == {
        "name": "New", "retentionPolicy": {"_classname": "RetentionPolicy"},
        "vGateways8": {"_classname": "PlanItem", "amount": 4}}
    kept = {"name": "Kept", "retentionPolicy": {"_classname": "RetentionPolicy", "daily": 3}}
    assert tenancy.apply_plan(kept, {})["retentionPolicy"] == {"_classname": "RetentionPolicy", "daily": 3}


# -- folder groups and cloud folders ---------------------------------------------------------------------------------

def test_read_folder_group():
    group = {"name": "fg", "owner": "objs/7/acme/PortalUser/alice", "baseObjectRef": "objs/30/acme/FolderGroup/fg"}
    session = Portal({("get_multi", "/admin/api/foldersGroups/fg"): group})
    assert tenancy.read_folder_group(session, "fg") == group
    assert session.calls == [("get_multi", "/admin/api/foldersGroups/fg", ["owner", "baseObjectRef"],
                              "read folder group 'fg'", True)]
    for missing in (None, {"name": None}, {"name": ""}, "x"):
        assert tenancy.read_folder_group(Portal({("get_multi", "/admin/api/foldersGroups/fg"): missing}), "fg") is None


FOLDER = {"name": "docs", "owner": "objs/7/acme/PortalUser/alice", "group": "objs/30/acme/FolderGroup/fg",
          "description": "", "enableSyncWinNtExtendedAttributes": "true", "folderQuota": "20", "isDeleted": False}


def test_folder_view():
    assert tenancy.folder_view(FOLDER, "acme") == {"name": "docs", "owner": "alice", "group": "fg", "description": None,
                                                   "winacls": True, "quota_gb": 20, "deleted": False, "tenant": "acme"}
    view = tenancy.folder_view({"name": 7, "description": "d", "folderQuota": "", "isDeleted": 1}, None)
    assert view == {"name": "7", "owner": None, "group": None, "description": "d", "winacls": False, "quota_gb": 0,
                    "deleted": True, "tenant": None}
    assert tenancy.folder_view({"name": "n", "folderQuota": None}, "t")["quota_gb"] == 0


def test_list_folders_by_name_and_owner_every_page():
    folders = [dict(FOLDER, name="f%03d" % i) for i in range(55)]
    session = Portal({("database", "/admin/api/cloudDrives"): pages(folders)})
    assert [f["name"] for f in tenancy.list_folders(session)] == ["f%03d" % i for i in range(55)]
    assert session.calls[0] == ("database", "/admin/api/cloudDrives", "query",
                                {"_classname": "QueryParams", "include": tenancy.FOLDER_ATTRIBUTES + ["name"],
                                 "includeDeleted": True, "startFrom": 0, "countLimit": 50},
                                "list cloud folders", True, False)
    assert tenancy.FOLDER_ATTRIBUTES == ["uid", "baseObjectRef", "owner", "group", "description",
                                         "enableSyncWinNtExtendedAttributes", "folderQuota", "isDeleted"]
    assert len(session.calls) == 2

    rows = [FOLDER, dict(FOLDER, name="docs2"), dict(FOLDER, owner="objs/8/acme/PortalUser/bob"), {"name": None}]
    session = Portal({("database", "/admin/api/cloudDrives"): {"objects": rows}})
    assert tenancy.list_folders(session, "docs", "alice", include_deleted=False) == [FOLDER]
    assert session.calls[0][3] == {"_classname": "QueryParams", "include": tenancy.FOLDER_ATTRIBUTES + ["name"],
                                   "filters": [tenancy.name_filter("docs"), tenancy.name_filter("alice", "owner", "RefFilter")],
                                   "orFilter": False, "startFrom": 0, "countLimit": 50}
    assert [f["name"] for f in tenancy.list_folders(session, "docs")] == ["docs", "docs"]
    assert session.calls[1][3]["filters"] == [tenancy.name_filter("docs")]
    assert [f["name"] for f in tenancy.list_folders(session, owner="bob")] == ["docs"]
    assert session.calls[2][3]["filters"] == [tenancy.name_filter("bob", "owner", "RefFilter")]


def test_find_folder():
    session = Portal({("database", "/admin/api/cloudDrives"): {"objects": [dict(FOLDER, name="other"), FOLDER]}})
    assert tenancy.find_folder(session, "docs", "alice") == FOLDER
    assert session.calls[0][3]["filters"] == [tenancy.name_filter("docs"), tenancy.name_filter("alice", "owner", "RefFilter")]
    assert tenancy.find_folder(session, "docs", "bob") is None


def test_folder_path_is_the_webdav_path_files_undelete_takes():
    session = Portal()
    assert tenancy.folder_path(session, "Alice Smith", "my docs#1") == "/admin/webdav/Users/Alice%20Smith/my%20docs%231"
    session.context = "ServicesPortal"
    assert tenancy.folder_path(session, "a", "b") == "/ServicesPortal/webdav/Users/a/b"


# -- zones -------------------------------------------------------------------------------------------------------

def test_find_zone_reads_the_zone_by_name():
    session = Portal({"getZonesDisplayInfo": {"objects": [{"name": "zone-2", "zoneId": 2}, {"name": "zone", "zoneId": 1}]}})
    assert tenancy.find_zone(session, "zone") == {"name": "zone", "zoneId": 1}
    assert session.calls == [("execute", "/admin/api", "getZonesDisplayInfo",
                              {"_classname": "QueryParams", "startFrom": 0, "countLimit": 1,
                               "filters": [tenancy.name_filter("zone")], "orFilter": False}, "read zone 'zone'")]
    assert tenancy.find_zone(session, "other") is None
    assert tenancy.find_zone(Portal({"getZonesDisplayInfo": None}), "zone") is None
    assert tenancy.find_zone(Portal({"getZonesDisplayInfo": {"objects": None}}), "zone") is None


def test_zone_query_as_cloudfs_builds_it():
    query = {"_classname": "QueryParams", "startFrom": 0, "countLimit": 50, "orFilter": True}
    assert tenancy.zone_query(3, "folders") == {"_classname": "ZoneQuery", "zoneId": 3, "query": query,
                                                "delta": {"_classname": "ZoneDelta", "policyDelta": []}}
    assert tenancy.zone_query(3, "devices") == {
        "_classname": "ZoneQuery", "zoneId": 3, "query": query,
        "delta": {"_classname": "ZoneDelta",
                  "devicesDelta": {"_classname": "ZoneDeviceDelta", "added": [], "removed": []}}}


@pytest.mark.parametrize("kind, method", [("folders", "getZoneFolders"), ("devices", "getZoneDevices")])
def test_zone_members_every_page(kind, method):
    rows = [{"name": "r%03d" % i} for i in range(101)]
    session = Portal({method: pages(rows, nested=True)})
    assert tenancy.zone_members(session, 4, kind) == rows
    assert [c[3]["query"]["startFrom"] for c in session.calls] == [0, 50, 100]
    assert all(c[:3] == ("execute", "/admin/api", method) and c[4] == "list %s of zone 4" % kind for c in session.calls)
    assert all(c[3]["zoneId"] == 4 and c[3]["delta"] == tenancy.zone_query(4, kind)["delta"] for c in session.calls)
    session = Portal({method: {"objects": [], "hasMore": True}})
    assert tenancy.zone_members(session, 4, kind) == [] and len(session.calls) == 1
    assert tenancy.zone_members(Portal({method: None}), 4, kind) == []


def test_read_zone():
    folders = [{"name": "docs", "owner": "objs/8/acme/PortalUser/bob"}, {"name": "b", "owner": "objs/7/acme/PortalUser/alice"},
               {"name": "a", "owner": "objs/7/acme/PortalUser/alice"}, {"name": "z"},
               {"name": "m", "owner": "objs/1/acme/PortalUser/ADMIN"}]
    devices = [{"name": "filer2"}, {"name": "filer1"}]
    session = Portal({"getZonesDisplayInfo": {"objects": [{"name": "zone", "zoneId": 4, "policyType": "selectedFolders"}]},
                      "getZoneBasicInfo": {"name": "Zone", "description": "", "policyType": None},
                      "getZoneFolders": {"objects": folders}, "getZoneDevices": {"objects": devices}})
    view, members = tenancy.read_zone(session, "zone", "acme")
    assert view == {"name": "Zone", "description": None, "tenant": "acme", "devices": ["filer1", "filer2"],
                    "folders": [{"name": "z", "owner": None}, {"name": "m", "owner": "ADMIN"}, {"name": "a", "owner": "alice"},
                                {"name": "b", "owner": "alice"}, {"name": "docs", "owner": "bob"}]}
    assert members == {"id": 4, "policy": "selectedFolders",
                       "folders": {("docs", "bob"): folders[0], ("b", "alice"): folders[1], ("a", "alice"): folders[2],
                                   ("z", None): folders[3], ("m", "ADMIN"): folders[4]},
                       "devices": {"filer2": devices[0], "filer1": devices[1]}}
    assert session.calls[1] == ("execute", "/admin/api", "getZoneBasicInfo", 4, "read zone 'zone'")
    assert [c[2] for c in session.calls] == ["getZonesDisplayInfo", "getZoneBasicInfo", "getZoneFolders", "getZoneDevices"]
    assert [(c[3]["zoneId"], c[4]) for c in session.calls[2:]] == [(4, "list folders of zone 4"), (4, "list devices of zone 4")]

    session.answers["getZoneBasicInfo"] = {"description": "d", "policyType": "allFolders"}
    view, members = tenancy.read_zone(session, "zone", "acme")
    assert view["name"] == "zone" and view["description"] == "d" and members["policy"] == "allFolders"
    session.answers["getZoneBasicInfo"] = None
    view, members = tenancy.read_zone(session, "zone", "acme")
    assert view["name"] == "zone" and view["description"] is None and members["policy"] == "selectedFolders"
    assert tenancy.read_zone(Portal({"getZonesDisplayInfo": {"objects": []}}), "zone", "acme") == (None, None)


def test_save_zone_param_as_cloudfs_builds_it():
    assert tenancy.save_zone_param("zone", "selectedFolders", "d", 4) == {
        "_classname": "SaveZoneParam",
        "basicInfo": {"_classname": "ZoneBasicInfo", "name": "zone", "policyType": "selectedFolders",
                      "description": "d", "zoneId": 4},
        "delta": {"_classname": "ZoneDelta", "devicesDelta": {"_classname": "ZoneDeviceDelta", "added": [],
                                                              "removed": []}}}


def test_check_zone_answer():
    tenancy.check_zone_answer({"rc": "OK"}, "add zone")
    for answer, detail in (({"rc": "Error", "msg": "name taken"}, "name taken"), ({"rc": "Error"}, "Error"),
                           ({"msg": "", "rc": None}, "None"), (None, "None"), ("OK", "OK")):
        with pytest.raises(ApiError) as info:
            tenancy.check_zone_answer(answer, "add zone 'z'")
        assert str(info.value) == "add zone 'z': the portal answered %s" % detail


def test_device_uids_by_name():
    assert tenancy.device_uids(Portal(), []) == {}
    rows = [{"name": "filer1", "uid": 11}, {"name": "filer2", "uid": 12}, {"name": "filer3", "uid": 13}]
    session = Portal({("database", "/admin/api/devices"): {"objects": rows}})
    assert tenancy.device_uids(session, ["filer1", "filer2"]) == {"filer1": 11, "filer2": 12}
    assert session.calls == [("database", "/admin/api/devices", "query",
                              {"_classname": "QueryParams", "include": ["name", "uid"],
                               "filters": [tenancy.name_filter("filer1"), tenancy.name_filter("filer2")],
                               "orFilter": True, "startFrom": 0, "countLimit": 50}, "list devices", True, False)]
    assert tenancy.device_uids(session, ["filer3"]) == {"filer3": 13}
    assert session.calls[1][3]["orFilter"] is False


def test_owner_uid_is_the_first_number_of_the_reference():
    assert tenancy.owner_uid({"owner": "objs/1021/acme/PortalUser/alice"}) == 1021
    assert tenancy.owner_uid({"owner": "objs/0/acme/PortalUser/u20"}) == 20
    assert tenancy.owner_uid({"owner": None}) is None and tenancy.owner_uid({}) is None
    assert tenancy.owner_uid({"owner": "objs/x"}) is None


def test_tenant_names():
    for good in ("a", "acme", "a-1", "0" * 63):
        assert tenancy.TENANT_NAME_RE.match(good)
    for bad in ("", "-a", "a-", "Acme", "a_b", "a" * 64, "a.b"):
        assert not tenancy.TENANT_NAME_RE.match(bad)
