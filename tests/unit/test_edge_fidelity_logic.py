# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where cterasdk and our guesses disagreed: task references and end states as lib/tasks.py reads them, the backup
status with and without the fields no vendor source names, share directories in either form, and edge_backup on a
filer that does not report suspension."""

import pytest

from module_double import ModuleDouble

from ansible_collections.filefleet.office.plugins.module_utils import _edge_status
from ansible_collections.filefleet.office.plugins.module_utils._edge import EdgeSession, TASK_TERMINAL, task_path
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import apply_changes, share_view
from ansible_collections.filefleet.office.plugins.module_utils._edge_status import backup_info, backup_view
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, WaitTimeout
from ansible_collections.filefleet.office.plugins.modules import edge_backup


# -- task references (cterasdk lib/tasks.py AwaitableEdgeTask._task_reference) -----------------------------------

@pytest.mark.parametrize("ref,path", [
    (12, "proc/bgtasks/12"), (0, "proc/bgtasks/0"), ("/proc/bgtasks/12", "proc/bgtasks/12"),
    ("proc/bgtasks/7", "proc/bgtasks/7"), ("12", "proc/bgtasks/12"), ("task 0042 started", "proc/bgtasks/42"),
])
def test_every_reference_form_the_sdk_accepts(ref, path):
    assert task_path(ref) == path


@pytest.mark.parametrize("ref", [None, "", "no number", True, 1.5, {"id": 3}])
def test_a_reference_without_a_task_number_is_an_error(ref):
    with pytest.raises(ApiError, match="no task reference"):
        task_path(ref, "cloud backup: attachFolder")


# -- end states (cterasdk common/enum.py TaskRunningStatus, lib/tasks.py _synchronous_wait) -----------------------

class Tasks(EdgeSession):
    """An EdgeSession whose GETs answer a scripted sequence of task statuses."""

    hostname = "https://filer.test"

    def __init__(self, *statuses):  # pylint: disable=super-init-not-called
        self.statuses = list(statuses)
        self.paths = []

    def path(self, *parts):
        return "/admingui/api/" + "/".join(parts)

    def get(self, path, what=None, missing_ok=False):
        self.paths.append(path)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return {"id": 5, "status": status, "result": {"attachFolderRC": "NotFound"}, "progstring": "2 files skipped"}

    def execute(self, path, name, param=None, what=None):
        return 5


def test_the_end_states_are_the_sdks():
    assert set(TASK_TERMINAL) == {"completed", "completed with warnings", "failed", "stopped", "disabled"}


@pytest.mark.parametrize("end", ["completed", "completed with warnings", "failed", "stopped", "disabled"])
def test_waiting_ends_at_every_end_state(end):
    session = Tasks("running", "waiting", "retrying", "stopping", end)
    assert session.wait_task(5, "x", interval=0, sleep=lambda _s: None)["status"] == end
    assert session.paths == ["/admingui/api/proc/bgtasks/5"] * 5


def test_warnings_alone_is_not_an_end_state():
    session = Tasks("warnings")
    with pytest.raises(WaitTimeout, match="last status 'warnings'"):
        session.wait_task("/proc/bgtasks/5", "x", timeout=0, sleep=lambda _s: None)


def test_a_task_with_warnings_gives_its_result_and_a_warning():
    warnings = []
    result = _edge_status._backup_task(Tasks("completed with warnings"), "attachFolder", warn=warnings.append)
    assert result == {"attachFolderRC": "NotFound"}
    assert warnings == ["cloud backup: attachFolder on https://filer.test completed with warnings: 2 files skipped"]


@pytest.mark.parametrize("end", ["failed", "stopped", "disabled"])
def test_a_task_that_did_not_complete_is_an_error(end):
    with pytest.raises(ApiError, match="attachFolder ended with status '%s'.*2 files skipped" % end):
        _edge_status._backup_task(Tasks(end), "attachFolder", warn=pytest.fail)


# -- the backup status --------------------------------------------------------------------------------------------

ATTACHED = {"serviceStatus": {"id": "Attached", "desc": "Attached"},
            "backupHistory": {"lastSuccessfulSync": "2026-01-02T03:04:05"}}


@pytest.mark.parametrize("extra,state,running", [
    ({"status": "Suspended", "suspended": True, "running": False}, "suspended", False),
    ({"status": "Running", "suspended": False, "running": True}, "enabled", True),
    ({"status": "Suspended"}, "suspended", False),
    ({"status": "Idle"}, "enabled", False),
    ({"suspended": True}, "suspended", None),
    ({}, "unknown", None),
])
def test_backup_state_from_what_the_filer_reports(extra, state, running):
    status = dict(ATTACHED, **extra)
    view = backup_view(status)
    assert view["configured"] and view["status"] == "Attached" and view["state"] == state
    assert view["last_successful_backup"] == "2026-01-02T03:04:05"
    info = backup_info(status)
    assert info["running"] is running
    assert info["suspended"] is {"suspended": True, "enabled": False, "unknown": None}[state]


def test_configured_is_only_what_the_sdk_reads():
    for status in ({"serviceStatus": {"id": "NotInitialized"}, "status": "Idle"}, {"status": "Suspended"}, None):
        view = backup_view(status)
        assert (view["configured"], view["state"]) == (False, "not_configured")
        assert backup_info(status)["suspended"] is False


# -- share directories --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("volume,directory,expected", [
    ("cloud", "/users/docs", "cloud/users/docs"), ("cloud", "users/docs", "cloud/users/docs"),
    ("cloud", "/", "cloud"), ("cloud", "", "cloud"), ("cloud", None, "cloud"), ("/cloud", "/2024", "cloud/2024"),
])
def test_directory_read_in_either_form(volume, directory, expected):
    assert share_view({"name": "x", "volume": volume, "directory": directory}, False)["directory"] == expected


def test_directory_sent_as_the_sdk_sends_it():
    assert apply_changes({"directory": "/old"}, {"directory": "cloud/users/docs"})["directory"] == "users/docs"
    assert apply_changes({}, {"directory": "cloud"}) == {"volume": "cloud", "directory": ""}
    # an unchanged directory goes back as read
    assert apply_changes({"volume": "cloud", "directory": "/users"}, {"comment": "x"})["directory"] == "/users"


# -- edge_backup on a filer that does not say whether backup is suspended ---------------------------------------

def backup_module(check_mode=False, **params):
    return ModuleDouble(edge_backup.argument_spec(), check_mode=check_mode, **params)


class Filer:
    """Backup status as vendor sources name it (no suspension fields); pause and resume are counted."""

    hostname = "https://filer.test"

    def __init__(self):
        self.calls = []

    @staticmethod
    def path(*parts):
        return "/".join(parts)

    def get(self, path, what=None, missing_ok=False):
        assert path == "proc/backup/backupStatus"
        return dict(ATTACHED)

    def execute(self, path, name, param=None, what=None):
        assert path == "status/sync"
        self.calls.append(name)


@pytest.fixture
def filer(monkeypatch):
    fake = Filer()
    monkeypatch.setattr(edge_backup, "edge_session", lambda scope, params: fake)
    return fake


def test_unknown_suspension_resumes_on_every_run(filer):
    for _run in range(2):
        module = backup_module(state="enabled")
        result = edge_backup.ensure_backup(module, None)
        assert result["changed"] and result["backup"]["state"] == "enabled"
        assert result["diff"] == {"before": {"state": "unknown"}, "after": {"state": "enabled"}}
        assert "does not report whether it is suspended" in module.warnings[0]
    predicted = edge_backup.ensure_backup(backup_module(check_mode=True, state="enabled"), None)
    assert predicted["changed"] and predicted["backup"]["state"] == "enabled"
    assert filer.calls == ["resume", "resume"]


@pytest.mark.parametrize("state", ["suspended", "disabled"])
@pytest.mark.parametrize("check_mode", [False, True])
def test_unknown_suspension_is_never_paused(filer, state, check_mode):
    with pytest.raises(ValueError, match="pause was not sent"):
        edge_backup.ensure_backup(backup_module(check_mode=check_mode, state=state), None)
    assert filer.calls == []
