# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Edge Filer resource mappings (ctera_share, edge_sync, edge_backup, edge_config_export) on the engine, against an
in-memory filer: check mode predicts exactly what a real run returns and writes nothing, diffs have the engine's
shape, waits and secrets behave."""

import copy
import hashlib
import os

import pytest

from ansible_collections.filefleet.office.plugins.modules import ctera_share, edge_backup, edge_config_export, edge_sync
from module_double import ModuleDouble
from ansible_collections.filefleet.office.plugins.module_utils._engine import ensure


class FakeRedactor:
    def __init__(self):
        self.secrets = []

    def add(self, secret):
        self.secrets.append(secret)


class FakeHttp:
    base_url = "https://filer.test"

    def __init__(self):
        self.redact = FakeRedactor()


class FakeFiler:
    """Just enough of an EdgeSession: shares, volumes, sync and backup, and a log of every write."""

    hostname = "https://filer.test"

    def __init__(self, v1=False):
        self.shares_v1 = v1
        self.firmware = "7.11.1000.1" if v1 else "7.12.5600.3"
        self.cache = {}
        self.http = FakeHttp()
        self.writes = []
        self.state = {"shares": [], "volumes": ["cloud", "local"], "sync_mode": "enabled",
                      "sync_status": {"id": "Synced"}, "portal": "Connected",
                      "backup": {"serviceStatus": {"id": "NotInitialized"}, "status": "Idle"}}

    @staticmethod
    def path(*parts):
        return "/".join(parts)

    def get(self, path, what=None, missing_ok=False):
        state = self.state
        if path == "config/fileservices/share":
            return copy.deepcopy(state["shares"])
        if path.startswith("config/fileservices/share/"):
            name = path.split("/", 3)[3]
            return copy.deepcopy(next(s for s in state["shares"] if s["name"] == name))
        return copy.deepcopy({"config/cloudsync/mode": state["sync_mode"],
                              "proc/cloudsync/serviceStatus": state["sync_status"],
                              "status/services/CTERAPortal/connectionState": state["portal"],
                              "proc/backup/backupStatus": state["backup"]}[path])

    def execute(self, path, name, param=None, what=None):
        if name == "listPhysicalFolders":
            return [{"fullpath": "/" + v} for v in self.state["volumes"]]
        self.writes.append(("execute", path, name))
        if name == "pause":
            self.state["backup"]["status"] = "Suspended"
        elif name == "resume":
            self.state["backup"]["status"] = "Idle"
        return None

    def database(self, path, name, param=None, what=None):
        self.writes.append(("add", param["name"]))
        self.state["shares"].append(copy.deepcopy(param))

    def put(self, path, value, what=None):
        self.writes.append(("put", path))
        if path == "config/cloudsync/mode":
            self.state["sync_mode"] = value
            self.state["sync_status"] = {"id": "Off" if value == "disabled" else "InitializingConnection"}
            return None
        name = path.split("/", 3)[3]
        self.state["shares"] = [copy.deepcopy(value) if s["name"] == name else s for s in self.state["shares"]]
        return copy.deepcopy(value)

    def delete(self, path, what=None):
        self.writes.append(("delete", path))
        name = path.split("/", 3)[3]
        self.state["shares"] = [s for s in self.state["shares"] if s["name"] != name]


def share(filer, check_mode=False, **params):
    module = ModuleDouble(ctera_share.argument_spec(), check_mode=check_mode, **params)
    filer.cache = {}  # a new task
    return ctera_share.ensure_share(module, None)


@pytest.fixture
def filer(monkeypatch):
    fake = FakeFiler()
    for module in (ctera_share, edge_sync, edge_backup, edge_config_export):
        monkeypatch.setattr(module, "edge_session", lambda scope, params: fake)
    return fake


ACL = [{"type": "local_group", "name": "Administrators", "permission": "ReadWrite"}]


def test_share_create_check_mode_predicts_the_real_run(filer):
    args = dict(name="docs", directory="/cloud/users/", comment="Team", acl=ACL)
    predicted = share(filer, check_mode=True, **args)
    assert filer.writes == [] and filer.state["shares"] == []
    done = share(filer, **args)
    assert predicted == done
    assert done["changed"] and done["share"]["directory"] == "cloud/users" and done["share"]["csc"] == "manual"
    assert done["diff"] == {"before": {}, "after": done["share"]}
    assert filer.state["shares"][0]["volume"] == "cloud" and filer.state["shares"][0]["directory"] == "users"
    args["name"] = "DOCS"
    again = share(filer, **args)
    assert again == {"changed": False, "share": done["share"]}


def test_share_update_diff_holds_only_changed_keys(filer):
    share(filer, name="docs", directory="cloud/users", comment="Team", acl=ACL)
    args = dict(name="docs", comment="", acl_mode="append",
                acl=[{"type": "local_user", "name": "admin", "permission": "ReadOnly"}])
    predicted = share(filer, check_mode=True, **args)
    done = share(filer, **args)
    assert predicted == done
    assert done["diff"] == {"before": {"comment": "Team", "acl": ACL},
                            "after": {"comment": None, "acl": ACL + args["acl"]}}
    assert filer.state["shares"][0]["comment"] is None and len(filer.state["shares"][0]["acl"]) == 2


def test_share_delete_diff_is_the_whole_share(filer):
    created = share(filer, name="tmp", directory="local")["share"]
    predicted = share(filer, check_mode=True, name="TMP", state="absent")
    assert [s["name"] for s in filer.state["shares"]] == ["tmp"]
    done = share(filer, name="TMP", state="absent")
    assert predicted == done == {"changed": True, "share": None, "diff": {"before": created, "after": {}}}
    assert filer.state["shares"] == []
    assert share(filer, name="tmp", state="absent") == {"changed": False, "share": None}


@pytest.mark.parametrize("args, fragment", [
    (dict(name="new"), "give directory"),
    (dict(name="new", directory="nosuch/x"), "'nosuch' is not a volume"),
    (dict(name="new", directory="cloud", dir_permissions=755), "dir_permissions: not available"),
])
def test_share_errors_before_any_write_in_both_modes(filer, args, fragment):
    for check_mode in (True, False):
        with pytest.raises(ValueError) as info:
            share(filer, check_mode=check_mode, **args)
        assert fragment in str(info.value)
    assert filer.writes == []


def test_v1_share_options(filer):
    filer.shares_v1 = True
    done = share(filer, name="old", directory="cloud", dir_permissions=755, export_to_rsync=True)
    assert done["share"]["dir_permissions"] == 755 and done["share"]["export_to_pc_agent"] is False
    assert filer.state["shares"][0]["dirPermissions"] == 755
    assert share(filer, name="old", dir_permissions=755)["changed"] is False


def sync(check_mode=False, **params):
    return edge_sync.ensure_sync(ModuleDouble(edge_sync.argument_spec(), check_mode=check_mode, **params), None)


def test_sync_waits_only_on_real_runs(filer, monkeypatch):
    waits = []

    def fake_wait(session, status, targets, timeout, interval, connection=None):
        waits.append(targets)
        return {"id": "Off"}
    monkeypatch.setattr(edge_sync, "wait_for_sync", fake_wait)
    predicted = sync(check_mode=True, state="suspended", wait=True)
    assert waits == [] and filer.writes == []
    assert predicted["diff"] == {"before": {"state": "enabled"}, "after": {"state": "disabled"}}
    assert predicted["sync"]["state"] == "disabled" and predicted["sync"]["status"] == "Synced"
    done = sync(state="suspended", wait=True)
    assert waits == [["Off"]] and done["sync"]["status"] == "Off" and done["diff"] == predicted["diff"]
    assert sync(state="disabled", wait=True)["changed"] is False and len(waits) == 2


def test_sync_on_a_disconnected_filer_fails_before_writing(filer):
    filer.state.update(sync_mode="disabled", portal="Disconnected")
    for check_mode in (True, False):
        with pytest.raises(Exception) as info:
            sync(check_mode=check_mode, state="enabled")
        assert "not connected to a CTERA Portal" in str(info.value)
    assert filer.writes == []


def backup(check_mode=False, **params):
    return edge_backup.ensure_backup(ModuleDouble(edge_backup.argument_spec(), check_mode=check_mode, **params), None)


def test_backup_configure_predicts_and_never_shows_the_passphrase(filer, monkeypatch):
    def configure(session, passphrase, warn=None):
        filer.writes.append(("configure", passphrase))
        filer.state["backup"] = {"serviceStatus": {"id": "Attached"}, "status": "Idle",
                                 "encryptionMode": "SecretKeyEncryption"}
    monkeypatch.setattr(edge_backup, "configure_backup", configure)
    with pytest.raises(ValueError, match="passphrase is required"):
        backup(state="enabled")
    predicted = backup(check_mode=True, state="enabled", passphrase="s3cret phrase")
    assert filer.writes == []
    done = backup(state="enabled", passphrase="s3cret phrase")
    assert filer.writes == [("configure", "s3cret phrase")] and filer.http.redact.secrets[-1] == "s3cret phrase"
    assert predicted == done
    assert done["diff"] == {"before": {"state": "not_configured"}, "after": {"state": "enabled"}}
    assert "s3cret" not in repr(done)


def test_backup_suspend_and_resume(filer):
    filer.state["backup"] = {"serviceStatus": {"id": "Attached"}, "status": "Idle"}
    predicted = backup(check_mode=True, state="disabled")
    assert filer.writes == []
    done = backup(state="disabled")
    assert predicted == done and done["backup"]["state"] == "suspended" and done["backup"]["run"] == "Suspended"
    assert backup(state="suspended")["changed"] is False
    assert backup(state="enabled")["diff"] == {"before": {"state": "suspended"}, "after": {"state": "enabled"}}
    assert [w[2] for w in filer.writes] == ["pause", "resume"]


def test_never_configured_backup_is_left_alone(filer):
    assert backup(state="disabled") == {"changed": False, "backup": backup(check_mode=True, state="suspended")["backup"]}


def export(filer, tmp_path, content, check_mode=False, **params):
    def export_configuration(directory, max_bytes=None):
        path = os.path.join(directory, ".filefleet-test")
        with open(path, "wb") as handle:
            handle.write(content)
        return path, hashlib.sha256(content).hexdigest(), len(content)
    filer.export_configuration = export_configuration
    params.setdefault("dest", str(tmp_path / "filer.xml"))
    module = ModuleDouble(edge_config_export.argument_spec(), check_mode=check_mode, **params)
    return edge_config_export.ensure_export(module, None)


def test_config_export_create_mode_and_content(filer, tmp_path):
    dest = str(tmp_path / "filer.xml")
    predicted = export(filer, tmp_path, b"<a/>", check_mode=True)
    assert os.listdir(str(tmp_path)) == []
    done = export(filer, tmp_path, b"<a/>")
    assert predicted == done and os.listdir(str(tmp_path)) == ["filer.xml"]
    assert done["diff"] == {"before": {}, "after": {"checksum": done["checksum"], "size": 4, "mode": "0600"}}
    assert set(done) == {"changed", "dest", "checksum", "size", "firmware", "diff"} and done["dest"] == dest
    assert export(filer, tmp_path, b"<a/>")["changed"] is False
    os.chmod(dest, 0o644)
    assert export(filer, tmp_path, b"<a/>")["diff"] == {"before": {"mode": "0644"}, "after": {"mode": "0600"}}
    assert os.stat(dest).st_mode & 0o7777 == 0o600
    changed = export(filer, tmp_path, b"<b/>")
    assert set(changed["diff"]["after"]) == {"checksum"} and open(dest, "rb").read() == b"<b/>"
    assert os.listdir(str(tmp_path)) == ["filer.xml"]


def test_engine_result_of_a_resource_without_diff_mode(filer):
    module = ModuleDouble(ctera_share.argument_spec(), diff=False, name="x", directory="cloud")
    resource = ctera_share.Share(module, filer, "x", "cloud")
    assert "diff" not in ensure(resource)
