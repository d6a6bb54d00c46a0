# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Edge Filer device mappings (edge_settings, edge_domain, edge_user, edge_group) on the engine, against an
in-memory filer that logs every write: the requests in the order cterasdk sends them, check mode writing nothing,
a refused domain join putting the SMB settings back, member comparison, write-only passwords."""

import copy

import pytest

from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
from ansible_collections.filefleet.office.plugins.modules import edge_domain, edge_group, edge_settings, edge_user
from module_double import ModuleDouble

CONNECTION = dict(edge_url="https://filer.test", edge_username="admin", edge_password="pw", validate_certs=True)


class FakeFiler:
    """Just enough of an EdgeSession for the device modules; ``writes`` logs (method, path, value)."""

    hostname = "https://filer.test"

    def __init__(self):
        self.writes = []
        self.join_errors = []  # what the next joinDomain calls raise
        self.tree = {
            "config/device": {"hostname": "vGateway-0001", "location": ""},
            "config/time": {"TimeZone": "(GMT-08:00) Pacific Time (US , Canada)", "NTPMode": "enabled",
                            "NTPServer": ["0.pool.ntp.org"]},
            "config/fileservices/cifs": {"_classname": "CIFSSettings", "type": "workgroup", "workgroup": "CTERA",
                                         "domain": None, "mode": "enabled"},
            "status/fileservices/cifs/joinStatus": 1,
            "config/auth/users": [{"username": "admin", "fullName": None, "email": "", "uid": 600, "password": None}],
            "config/auth/groups": [{"name": "Administrators", "description": "", "members": [
                {"_classname": "LocalUser", "ref": "#config#auth#users#admin"}]}],
        }

    @staticmethod
    def path(*parts):
        return "/".join(parts)

    def _find(self, path):
        for prefix, key in (("config/auth/users/", "username"), ("config/auth/groups/", "name")):
            if path.startswith(prefix):
                name = path[len(prefix):].split("/")[0]
                found = [o for o in self.tree[prefix[:-1]] if o[key] == name]
                return found[0] if found else None
        return self.tree[path]

    def get(self, path, what=None, missing_ok=False):
        if path.endswith("/members"):
            return copy.deepcopy(self._find(path)["members"])
        found = self._find(path)
        if found is None and missing_ok:
            return None
        return copy.deepcopy(found)

    def put(self, path, value, what=None):
        self.writes.append(("put", path, copy.deepcopy(value)))
        if path.startswith("config/device/") or path.startswith("config/time/"):
            parent, leaf = path.rsplit("/", 1)
            self.tree[parent][leaf] = value
        elif path.endswith("/members"):
            self._find(path)["members"] = value
        elif path == "config/fileservices/cifs":
            if value["type"] != "domain":
                self.tree["status/fileservices/cifs/joinStatus"] = 1
            self.tree[path] = value
        else:
            target = self._find(path)
            target.update(dict((k, v) for k, v in value.items() if not (k == "password" and v is None)))

    def database(self, path, name, param=None, what=None):
        self.writes.append(("add", path, copy.deepcopy(param)))
        self.tree[path].append(copy.deepcopy(param))

    def delete(self, path, what=None):
        self.writes.append(("delete", path, None))
        parent, name = path.rsplit("/", 1)
        key = "username" if parent.endswith("users") else "name"
        self.tree[parent] = [o for o in self.tree[parent] if o[key] != name]

    def execute(self, path, name, param=None, what=None):
        self.writes.append(("execute", path, dict(param, password="***") if name == "joinDomain" else param))
        if self.join_errors:
            raise self.join_errors.pop(0)
        self.tree["status/fileservices/cifs/joinStatus"] = 0


@pytest.fixture
def filer(monkeypatch):
    fake = FakeFiler()
    for module in (edge_settings, edge_domain, edge_user, edge_group):
        monkeypatch.setattr(module, "edge_session", lambda scope, params: fake)
    return fake


def run(module, filer, check_mode=False, **params):
    double = ModuleDouble(module.argument_spec(), check_mode=check_mode, **dict(CONNECTION, **params))
    before = len(filer.writes)
    entry = {edge_settings: edge_settings.ensure_settings, edge_domain: edge_domain.ensure_domain,
             edge_user: edge_user.ensure_user, edge_group: edge_group.ensure_group}[module]
    result = entry(double, None)
    if check_mode:
        assert len(filer.writes) == before, "check mode wrote"
    return result


def test_settings_ntp_on_then_servers_and_off_is_only_the_mode(filer):
    args = dict(hostname="sto-filer-01", ntp_servers=["ntp1.example.com", "ntp2.example.com"])
    predicted = run(edge_settings, filer, check_mode=True, **args)
    done = run(edge_settings, filer, **args)
    assert predicted == done and done["changed"]
    assert filer.writes == [("put", "config/device/hostname", "sto-filer-01"),
                            ("put", "config/time/NTPMode", "enabled"),
                            ("put", "config/time/NTPServer", ["ntp1.example.com", "ntp2.example.com"])]
    assert run(edge_settings, filer, **args)["changed"] is False
    del filer.writes[:]
    off = run(edge_settings, filer, ntp_servers=[])
    assert filer.writes == [("put", "config/time/NTPMode", "disabled")]
    assert off["settings"]["ntp_servers"] == [] and off["diff"]["after"] == {"ntp_servers": []}
    # The order of NTP servers is a preference: another order is a change.
    assert run(edge_settings, filer, ntp_servers=["ntp2.example.com", "ntp1.example.com"])["changed"] is True


def test_settings_refuses_bad_values_before_any_request(filer):
    for bad in (dict(hostname="-filer"), dict(timezone="Europe/Stockholm"), dict(ntp_servers=["a.example", "A.example"])):
        with pytest.raises(ValueError):
            run(edge_settings, filer, **bad)
    assert filer.writes == []


def test_domain_join_as_the_sdk_and_a_refused_join_puts_the_settings_back(filer):
    original = copy.deepcopy(filer.tree["config/fileservices/cifs"])
    filer.join_errors.append(ApiError("join the domain corp.example.com failed", "POST", "status/fileservices/cifs", 500))
    args = dict(domain="corp.example.com", username="joiner", password="secret-pw", ou="OU=Sto,DC=corp")
    with pytest.raises(ApiError):
        run(edge_domain, filer, **args)
    assert [w[:2] for w in filer.writes] == [("put", "config/fileservices/cifs"), ("execute", "status/fileservices/cifs"),
                                             ("put", "config/fileservices/cifs")]
    assert filer.writes[0][2]["type"] == "domain" and filer.writes[0][2]["workgroup"] is None
    assert filer.writes[1][2] == {"username": "joiner", "password": "***", "ouPath": "OU=Sto,DC=corp"}
    assert filer.tree["config/fileservices/cifs"] == original
    joined = run(edge_domain, filer, **args)
    assert joined["domain"] == {"state": "joined", "domain": "corp.example.com", "workgroup": None}
    capitals, other = dict(args), dict(args)
    capitals["domain"], other["domain"] = "CORP.example.com", "other.example.com"
    assert run(edge_domain, filer, **capitals)["changed"] is False
    with pytest.raises(ValueError, match="joined to the domain corp.example.com, not other.example.com"):
        run(edge_domain, filer, **other)
    left = run(edge_domain, filer, state="left")
    assert left["domain"] == {"state": "left", "domain": None, "workgroup": "CTERA"}
    assert filer.tree["config/fileservices/cifs"]["type"] == "workgroup"


def test_user_update_sends_the_whole_user_with_a_null_password_unless_it_changes(filer):
    created = run(edge_user, filer, name="scanner", password="p-1", full_name="Scanner", uid=1500)
    assert filer.writes[-1] == ("add", "config/auth/users", {"username": "scanner", "password": "p-1",
                                                             "fullName": "Scanner", "email": None, "uid": 1500})
    assert "password" not in created["user"] and created["diff"]["after"]["password"] == "******** (changed)"
    assert run(edge_user, filer, name="scanner", password="p-1")["changed"] is False  # on_create
    run(edge_user, filer, name="scanner", email="s@example.com")
    assert filer.writes[-1][2]["password"] is None and filer.writes[-1][2]["email"] == "s@example.com"
    rotated = run(edge_user, filer, name="scanner", password="p-2", update_password="always")
    assert rotated["changed"] and filer.writes[-1][2]["password"] == "p-2"
    assert rotated["diff"] == {"before": {"password": "********"}, "after": {"password": "******** (changed)"}}
    with pytest.raises(ValueError, match="cannot delete itself"):
        run(edge_user, filer, name="admin", state="absent")


def test_group_members_domain_names_fold_case_local_names_do_not(filer):
    filer.tree["status/fileservices/cifs/joinStatus"] = 0
    filer.tree["config/fileservices/cifs"]["type"] = "domain"
    members = [{"name": "CORP\\Domain Admins", "type": "domain_group"}]
    run(edge_group, filer, name="Administrators", members=members, members_mode="append")
    assert filer.writes[-1] == ("put", "config/auth/groups/Administrators/members", [
        {"_classname": "DomainGroup", "name": "CORP\\Domain Admins"},
        {"_classname": "LocalUser", "ref": "#config#auth#users#admin"}])
    again = run(edge_group, filer, name="Administrators", members=[{"name": "corp\\domain admins", "type": "domain_group"}],
                members_mode="append")
    assert again["changed"] is False
    # A local user named ADMIN is not admin: the filer's names are case-sensitive, so it must exist.
    with pytest.raises(ValueError, match="local user 'ADMIN'"):
        run(edge_group, filer, name="Administrators", members=[{"name": "ADMIN", "type": "local_user"}],
            members_mode="append")
    removed = run(edge_group, filer, name="Administrators", members=members, members_mode="remove")
    assert removed["group"]["members"] == [{"type": "local_user", "name": "admin"}]


def test_group_create_in_check_mode_warns_for_members_created_earlier(filer):
    args = dict(name="scanners", description="Scanners", members=[{"name": "scanner", "type": "local_user"}])
    double = ModuleDouble(edge_group.argument_spec(), check_mode=True, **dict(CONNECTION, **args))
    predicted = edge_group.ensure_group(double, None)
    assert predicted["changed"] and filer.writes == []
    assert double.warnings and "a real run fails unless an earlier task creates them" in double.warnings[0]
    with pytest.raises(ValueError, match="do not exist on the filer: local user 'scanner'"):
        run(edge_group, filer, **args)
    run(edge_user, filer, name="scanner", password="p-1")
    done = run(edge_group, filer, **args)
    assert done["group"] == predicted["group"] == {"name": "scanners", "description": "Scanners",
                                                   "members": [{"type": "local_user", "name": "scanner"}]}
    assert filer.writes[-1] == ("add", "config/auth/groups", {
        "name": "scanners", "description": "Scanners",
        "members": [{"_classname": "LocalUser", "ref": "#config#auth#users#scanner"}]})
    with pytest.raises(ValueError, match="built-in group"):
        run(edge_group, filer, name="Everyone", state="absent")
