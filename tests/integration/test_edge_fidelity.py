# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Edge Filer modules where the vendor's client and our guesses disagreed, against the simulator in each of its
plausible answers (``POST /_sim/edge`` modes, tests/simulators/edge.py "Inferred behaviour"):

1. background tasks that end completed, completed with warnings, failed, stopped or disabled;
2. task references answered as ``/proc/bgtasks/N``, as the integer ``N``, or either;
3. values that only look like numbers (``007``, ``1.10``) read and written back unchanged, and compared as text;
4. share directories answered with a leading ``/``;
5. a backup status that reports suspension with the fields ``suspended`` and ``status``, with ``status`` only, or
   not at all (only what vendor sources name);
6. the volumes cterasdk lists (``config/storage/volumes``) named in ctera_share's errors.

Several filers, each in another mode, run one playbook together (group ``filers``). What the filers did is read from
the simulator's own state and request counts, and with the official SDK.
"""

import json
import sys
import time
import urllib.parse
import uuid

import aiohttp.connector
import pytest

from cterasdk import Edge
from integration_support import edge_env, playbook_path, run_playbook
from simulators.harness import Simulators

FILERS = 8
TASK_MODES = [  # (task_refs, task_end) of filers 0 to 6
    ("path", "completed"), ("integer", "completed"), ("mixed", "completed"),
    ("path", "completed with warnings"), ("integer", "completed with warnings"),
    ("path", "failed"), ("integer", "stopped"),
]


@pytest.fixture(scope="module")
def filers(tmp_path_factory, execution_mode):
    """Eight fresh filers for the tests of this module, in each execution mode."""
    sims = Simulators(str(tmp_path_factory.mktemp("edge-fidelity-" + execution_mode)), edges=FILERS)
    sims.start()
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
        cafile=sims.info["edges"][0]["ca_path"])
    yield sims
    sims.stop()


def fresh(sims, index, **modes):
    """Filer ``index`` reset, in the simulator modes given."""
    edge = sims.info["edges"][index]
    sims.reset(edge)
    if modes:
        sims.sim_call(edge, "/_sim/edge", "POST", modes)
    return edge


def inventory(sims, indexes, tmp_path):
    """A JSON inventory (the YAML inventory plugin reads JSON) with the filers ``indexes`` in the group filers."""
    hosts = {}
    for index in indexes:
        edge = sims.info["edges"][index]
        hosts[edge["name"]] = {"edge_url": edge["url"], "edge_username": edge["username"],
                               "edge_password": edge["password"], "edge_ca": edge["ca_path"],
                               "ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    path = tmp_path / ("filers-%s.json" % uuid.uuid4().hex[:8])
    path.write_text(json.dumps({"filers": {"hosts": hosts}}))
    return str(path)


def sdk(edge):
    url = urllib.parse.urlsplit(edge["url"])
    client = Edge(url.hostname, url.port)
    client.login(edge["username"], edge["password"])
    return client


def failed(run, task, host):
    """Whether ``task`` failed on ``host`` (its recorded status, as the run showed it)."""
    records = [r for r in run.tasks if r["task"] == task and r["host"] == host]
    assert records, "no result for task %r on %s" % (task, host)
    return records[-1]["status"] == "failed"


def requests_of(sims, edge, prefix):
    return dict((key, count) for key, count in sims.stats(edge)["requests"].items() if key.startswith(prefix))


# -- 1 and 2: task end states and task references -----------------------------------------------------------------

def test_backup_tasks_in_every_end_state_and_reference_form(filers, tmp_path):
    edges = [fresh(filers, index, task_refs=refs, task_end=end) for index, (refs, end) in enumerate(TASK_MODES)]
    started = time.time()
    run = run_playbook(playbook_path("edge_fidelity_tasks.yml"), forks=len(TASK_MODES),
                       extra_vars={"phrase": "Fidelity"}, inventory=inventory(filers, range(len(TASK_MODES)), tmp_path))
    # A task that never reaches an end state the module knows would hold the run for the 300 s task timeout.
    assert time.time() - started < 120, "the module waited for a task that had ended"
    assert run.rc == 0, run.stdout
    for edge, (refs, end) in zip(edges, TASK_MODES):
        result = run.result("Enable", host=edge["name"])
        state = filers.state(edge)
        tasks = [task["id"] for task in state["tasks"]]
        # Every task was polled at /proc/bgtasks/N, whatever form its reference had.
        polled = requests_of(filers, edge, "GET /admingui/api/proc/bgtasks/")
        assert sorted(polled) == ["GET /admingui/api/proc/bgtasks/%d" % n for n in tasks], (refs, end, polled)
        assert not requests_of(filers, edge, "GET /admingui/api/%d" % tasks[0]), "a reference was used as a path"
        if end.startswith("completed"):
            assert result["changed"] and result["backup"]["configured"], (refs, end, result)
            assert state["backup"]["attached"] is True
            warned = [w for w in result.get("warnings", []) if "completed with warnings" in w]
            assert len(warned) == (2 if end == "completed with warnings" else 0), result.get("warnings")
            assert "Done with warnings" in "".join(warned) or not warned
            assert run.result("Enable again", host=edge["name"])["changed"] is False
        else:
            assert failed(run, "Enable", edge["name"]), result
            assert "attachFolder ended with status %r" % end in result["msg"], result
            assert state["backup"]["attached"] is False and state["backup"]["folder"] is None
            assert [task["name"] for task in state["tasks"]] == ["attachFolder"]


# -- 3 and 4: values that only look like numbers; directories with a leading "/" ---------------------------------

def test_number_like_values_round_trip_and_converge(filers):
    edge = fresh(filers, 7)
    env = edge_env(filers, 7)
    shares = [
        {"name": "007", "directory": "cloud/users", "comment": "1.10",
         "acl": [{"type": "domain_group", "name": "1.10", "permission": "ReadOnly"}]},
        {"name": "1.10", "directory": "/local/scratch/", "comment": "007"},
        {"name": "plain", "directory": "cloud", "comment": "-0"},
    ]
    first = run_playbook(playbook_path("edge_fidelity_shares.yml"), env=env, extra_vars={"shares": shares})
    assert first.rc == 0, first.stdout
    stored = dict((s["name"], s) for s in filers.state(edge)["config"]["fileservices"]["share"])
    assert (stored["007"]["comment"], stored["1.10"]["comment"], stored["plain"]["comment"]) == ("1.10", "007", "-0")
    assert stored["007"]["acl"][0]["principal2"]["name"] == "1.10"
    # Created in the form cterasdk sends: volume and directory apart, no leading "/".
    assert [(stored[n]["volume"], stored[n]["directory"]) for n in ("007", "1.10", "plain")] == [
        ("cloud", "users"), ("local", "scratch"), ("cloud", "")]
    # The filer answers the directory with a leading "/"; the modules read volume/path either way.
    client = sdk(edge)
    try:
        assert client.shares.get("007").directory == "/users" and client.shares.get("plain").directory == "/"
    finally:
        client.logout()
    views = dict((s["name"], s) for s in first.result("Share info")["shares"])
    assert [views[n]["directory"] for n in ("007", "1.10", "plain")] == ["cloud/users", "local/scratch", "cloud"]
    assert (views["007"]["comment"], views["1.10"]["comment"]) == ("1.10", "007")

    # A change of another option PUTs the whole share as read: every value goes back as it was.
    indexed = run_playbook(playbook_path("edge_fidelity_shares.yml"), env=env,
                           extra_vars={"shares": [{"name": n, "indexed": True} for n in ("007", "1.10", "plain")]})
    assert indexed.rc == 0 and indexed.changed() == 1, indexed.stdout
    after = dict((s["name"], s) for s in filers.state(edge)["config"]["fileservices"]["share"])
    for name in ("007", "1.10", "plain"):
        assert after[name]["indexed"] is True
        assert dict(after[name], indexed=False) == stored[name], name
    assert requests_of(filers, edge, "PUT /admingui/api/config/fileservices/share/") == {
        "PUT /admingui/api/config/fileservices/share/%s" % n: 1 for n in ("007", "1.10", "plain")}

    # Compared as text, the first input converges.
    again = run_playbook(playbook_path("edge_fidelity_shares.yml"), env=env, extra_vars={"shares": shares})
    assert again.rc == 0 and again.changed() == 0, again.stdout


def test_backup_settings_round_trip_when_backup_is_configured(filers, tmp_path):
    edge = fresh(filers, 7)
    client = sdk(edge)
    try:
        client.api.put("/config/backup/schedule/time", "007")
        client.api.put("/config/backup/schedule/mode", "1.10")
    finally:
        client.logout()
    run = run_playbook(playbook_path("edge_fidelity_tasks.yml"), extra_vars={"phrase": "Round-Trip"},
                       inventory=inventory(filers, [7], tmp_path))
    assert run.rc == 0 and run.result("Enable")["changed"], run.stdout
    settings = filers.state(edge)["config"]["backup"]
    assert settings["encryptionMode"] == "SecretKeyEncryption"
    assert (settings["schedule"]["time"], settings["schedule"]["mode"]) == ("007", "1.10")
    assert settings["retentionPolicy"]["retainAll"] in (7, "7")


# -- 5: suspended or not ----------------------------------------------------------------------------------------

BACKUP_MODES = ["extended", "status", "vendor"]


def test_backup_suspension_in_each_way_a_filer_may_report_it(filers, tmp_path):
    edges = [fresh(filers, index, backup_status=mode) for index, mode in enumerate(BACKUP_MODES)]
    run = run_playbook(playbook_path("edge_fidelity_backup_state.yml"), forks=3, diff=True,
                       extra_vars={"phrase": "Suspension"}, inventory=inventory(filers, range(3), tmp_path))
    assert run.rc == 0, run.stdout
    for edge, mode in zip(edges, BACKUP_MODES):
        host = edge["name"]
        enabled = run.result("Enable", host=host)
        assert enabled["changed"] and enabled["backup"]["configured"] and enabled["backup"]["state"] == "enabled"
        controls = filers.state(edge)["backup"]["controls"]
        info_suspended = run.result("Info while suspended", host=host)["edge"]["backup"]
        info = run.result("Info", host=host)["edge"]["backup"]
        if mode != "vendor":
            # The filer says whether backup is suspended: one pause, one resume, every rerun converges.
            assert run.result("Enable again", host=host)["changed"] is False
            assert run.result("Predict suspend", host=host)["changed"]
            suspend = run.result("Suspend", host=host)
            assert suspend["changed"] and suspend["backup"]["state"] == "suspended"
            assert suspend["diff"] == {"before": {"state": "enabled"}, "after": {"state": "suspended"}}
            assert run.result("Suspend again", host=host)["changed"] is False
            assert run.result("Resume", host=host)["changed"]
            assert run.result("Resume again", host=host)["changed"] is False
            assert controls == {"start": 0, "pause": 1, "resume": 1}, (mode, controls)
            assert (info_suspended["state"], info_suspended["suspended"]) == ("suspended", True)
            assert (info["state"], info["suspended"], info["running"]) == ("enabled", False, False)
        else:
            # It does not: suspending is refused (never a pause on every run), enabling resumes on every run.
            assert enabled["backup"]["run"] is None
            again = run.result("Enable again", host=host)
            assert again["changed"] and again["diff"] == {"before": {"state": "unknown"}, "after": {"state": "enabled"}}
            assert any("does not report whether it is suspended" in w for w in again["warnings"])
            for task in ("Predict suspend", "Suspend", "Suspend again"):
                refused = run.result(task, host=host)
                assert failed(run, task, host) and "pause was not sent" in refused["msg"], (task, refused)
            assert run.result("Resume", host=host)["changed"] and run.result("Resume again", host=host)["changed"]
            assert controls == {"start": 0, "pause": 0, "resume": 3}, controls
            assert (info["state"], info["suspended"], info["running"]) == ("unknown", None, None)
            assert info_suspended["state"] == "unknown"
        # The status the SDK reads says configured in every mode.
        assert info["configured"] and info["status"] == "Attached"
    assert filers.state(edges[0])["backup"]["run"] == "Idle"


def test_last_successful_backup_from_vendor_fields(filers, tmp_path):
    edge = fresh(filers, 3, backup_status="vendor", backup_seconds=0.2)
    run = run_playbook(playbook_path("edge_fidelity_tasks.yml"), extra_vars={"phrase": "History"},
                       inventory=inventory(filers, [3], tmp_path))
    assert run.rc == 0, run.stdout
    client = sdk(edge)
    try:
        client.backup.start()
        deadline = time.time() + 10
        while client.api.get("/proc/backup/backupStatus").backupHistory.lastSuccessfulSync is None:
            assert time.time() < deadline, "the simulated backup did not finish"
            time.sleep(0.1)
    finally:
        client.logout()
    info = run_playbook(playbook_path("edge_fidelity_info.yml"), inventory=inventory(filers, [3], tmp_path))
    assert info.rc == 0, info.stdout
    backup = info.result("Info")["edge"]["backup"]
    assert backup["last_successful_backup"] and backup["state"] == "unknown"


# -- 6: volumes ------------------------------------------------------------------------------------------------

def test_share_errors_name_the_volumes_the_sdk_lists(filers):
    edge = fresh(filers, 6, volumes=["cloud", "local", "archive-2024", "007"])
    client = sdk(edge)
    try:
        volumes = [volume.name for volume in client.volumes.get()]
    finally:
        client.logout()
    # The filer's own list, and the SDK's: its decoder reads the volume "007" as the number 7
    # (cterasdk/convert/deserializers.py ParseValue), the filer keeps "007".
    names = [volume["name"] for volume in filers.state(edge)["config"]["storage"]["volumes"]]
    assert names == ["cloud", "local", "archive-2024", "007"]
    assert volumes == ["cloud", "local", "archive-2024", 7]
    env = edge_env(filers, 6)
    misplaced = [{"name": "misplaced", "directory": "nosuch/dir"}]
    wrong = run_playbook(playbook_path("edge_fidelity_shares.yml"), env=env,
                         extra_vars={"shares": misplaced, "expect_failure": True})
    message = wrong.result("Shares")["results"][0]["msg"]
    assert "'nosuch' is not a volume" in message
    assert message.endswith("(volumes: %s)" % ", ".join(sorted(names))), message
    assert "misplaced" not in dict((s["name"], s) for s in filers.state(edge)["config"]["fileservices"]["share"])

    right = run_playbook(playbook_path("edge_fidelity_shares.yml"), env=env,
                         extra_vars={"shares": [{"name": "archive", "directory": "archive-2024"},
                                                {"name": "bond", "directory": "007"}]})
    assert right.rc == 0 and right.changed() == 1, right.stdout
    stored = dict((s["name"], s) for s in filers.state(edge)["config"]["fileservices"]["share"])
    assert (stored["archive"]["volume"], stored["bond"]["volume"]) == ("archive-2024", "007")
