# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""edge_info through real ansible-playbook runs against two fresh Edge Filer simulators. What the filer holds is
read from the simulator's own state (GET /_sim/state); backups are started and paused with the official CTERA SDK,
as an administrator would."""

import datetime
import urllib.parse

import aiohttp.connector
import pytest

from cterasdk import Edge
from integration_support import playbook_path, run_playbook
from simulators.harness import Simulators

INFO_PLAY = playbook_path("edge_info.yml")


@pytest.fixture(scope="module")
def filers(tmp_path_factory, execution_mode):
    """Two fresh filers for the tests of this module, in each execution mode."""
    sims = Simulators(str(tmp_path_factory.mktemp("edge-info-" + execution_mode)), edges=2)
    sims.start()
    for edge in sims.info["edges"]:
        # Sync reaches Synced at once, a backup run takes ten minutes (so it is still running when read).
        sims.sim_call(edge, "/_sim/edge", "POST", {"sync_phase_seconds": [0, 0, 0], "backup_seconds": 600})
    yield sims
    sims.stop()


def info(edge, check=False):
    run = run_playbook(INFO_PLAY, extra_vars={"edge": edge}, check=check)
    assert run.rc == 0, run.stdout + run.stderr
    result = run.result("Info")
    assert result["changed"] is False
    assert edge["password"] not in run.output()
    return result["edge"]


def sdk_edge(edge):
    # cterasdk verifies TLS with aiohttp's default context; trust the simulator's CA there (verification stays on).
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=edge["ca_path"])  # pylint: disable=protected-access
    parts = urllib.parse.urlsplit(edge["url"])
    client = Edge(parts.hostname, parts.port)
    client.login(edge["username"], edge["password"])
    return client


def epoch(iso):
    return datetime.datetime.strptime(iso.rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def test_reports_what_the_filer_holds_and_changes_nothing(filers):
    edge = filers.info["edges"][0]
    before = filers.state(edge)
    found = info(edge)
    predicted = info(edge, check=True)
    after = filers.state(edge)
    for key in ("config", "backup", "portal", "device"):
        assert after[key] == before[key], key

    shares = sorted((s["name"] for s in after["config"]["fileservices"]["share"]), key=str.lower)
    assert found["url"] == edge["url"]
    assert found["firmware"] == after["device"]["firmware"]
    assert found["hostname"] == after["config"]["device"]["hostname"]
    assert found["model"] == after["device"]["model"]
    assert found["shares"] == shares and found["share_count"] == len(shares) >= 1
    assert found["portal"]["connected"] is after["portal"]["connected"] is True
    assert found["portal"]["connection"] == "Connected"
    assert found["portal"]["server"] == after["config"]["services"]["server"]
    assert found["sync"]["state"] == after["config"]["cloudsync"]["mode"] == "enabled"
    assert found["sync"]["status"] == "Synced" and found["sync"]["portal_connection"] == "Connected"
    assert after["backup"]["attached"] is False
    assert found["backup"]["configured"] is False and found["backup"]["state"] == "not_configured"
    assert found["backup"]["running"] is False and found["backup"]["last_successful_backup"] is None
    # Check mode reads the same.
    assert predicted == found


def test_disconnected_filer_and_disabled_sync(filers):
    edge = filers.info["edges"][0]
    filers.sim_call(edge, "/_sim/edge", "POST", {"portal_connected": False})
    try:
        state = filers.state(edge)
        assert state["portal"]["connected"] is False
        found = info(edge)
        assert found["portal"]["connected"] is False and found["portal"]["connection"] == "Disconnected"
        assert found["sync"]["state"] == "enabled" and found["sync"]["status"] == "DisconnectedPortal"
    finally:
        filers.sim_call(edge, "/_sim/edge", "POST", {"portal_connected": True})
    client = sdk_edge(edge)
    try:
        client.sync.suspend()
    finally:
        client.logout()
    assert filers.state(edge)["config"]["cloudsync"]["mode"] == "disabled"
    found = info(edge)
    assert found["sync"]["state"] == "disabled" and found["sync"]["status"] == "Off"
    assert found["portal"]["connected"] is True


def test_running_backup_shows_running_then_suspended_then_last_success(filers):
    edge = filers.info["edges"][1]
    configure = run_playbook(playbook_path("edge_info_backup.yml"), extra_vars={"edge": edge})
    assert configure.rc == 0, configure.stdout
    client = sdk_edge(edge)
    try:
        client.backup.start()
        state = filers.state(edge)["backup"]
        assert state["attached"] is True and state["run"] == "Running"
        running = info(edge)["backup"]
        assert running["configured"] is True and running["state"] == "enabled" and running["status"] == "Attached"
        assert running["running"] is True and running["run"] == "Running" and running["suspended"] is False
        assert running["last_successful_backup"] is None

        client.backup.suspend()
        assert filers.state(edge)["backup"]["run"] == "Suspended"
        suspended = info(edge)["backup"]
        assert suspended["suspended"] is True and suspended["state"] == "suspended" and suspended["running"] is False

        # The rest of the run finishes at once: the last successful backup is the filer's.
        filers.sim_call(edge, "/_sim/edge", "POST", {"backup_seconds": 0})
        client.backup.unsuspend()
    finally:
        client.logout()
    done = info(edge)["backup"]
    state = filers.state(edge)["backup"]
    assert state["run"] == "Idle" and state["lastSuccess"] is not None
    assert done["running"] is False and done["state"] == "enabled"
    assert abs(epoch(done["last_successful_backup"]) - state["lastSuccess"]) < 1.0
