# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device modules (edge_setup, edge_settings, edge_domain, edge_user, edge_group and edge_info's gather
subsets) through real ansible-playbook runs: a factory-fresh filer brought to production in one run, every step
with its check-mode prediction, diff and converged rerun; bad input refused before any write. What the filer holds
is read from the simulator's own state (GET /_sim/state) and with the official CTERA SDK, as an administrator
would."""

import urllib.parse

import aiohttp.connector
import pytest

from cterasdk import Edge
from cterasdk.exceptions.auth import AuthenticationError
from integration_support import playbook_path, run_playbook
from reliability_log import record
from simulators.harness import Simulators

OU = "OU=Stockholm,OU=Offices,DC=corp,DC=filefleet,DC=test"
TIMEZONE = "(GMT+01:00) Amsterdam, Berlin, Stockholm"
USER_PASSWORD = "Scan-1-pass"
NEW_USER_PASSWORD = "Scan-2-pass"
WRONG_PASSWORD = "Not-the-AD-pass-9"


@pytest.fixture(scope="module")
def filers(tmp_path_factory, execution_mode):
    """A factory-fresh filer (edge-001) and one already set up (edge-002), in each execution mode."""
    sims = Simulators(str(tmp_path_factory.mktemp("edge-device-" + execution_mode)), edges=2, edge_factory=1)
    sims.start()
    yield sims
    sims.stop()


def sdk_login(edge, username, password):
    # cterasdk verifies TLS with aiohttp's default context; trust the simulator's CA there (verification stays on).
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=edge["ca_path"])  # pylint: disable=protected-access
    parts = urllib.parse.urlsplit(edge["url"])
    client = Edge(parts.hostname, parts.port)
    client.login(username, password)
    return client


def keys(result):
    """The keys a module returned (without what Ansible adds)."""
    return set(k for k in result if k != "invocation" and not k.startswith("_ansible"))


def assert_predicted(run, task, real_task=None):
    """The check-mode task predicted exactly the real run's result: same changed, object and diff."""
    predicted, real = run.result(task), run.result(real_task or task.replace(" predicted", ""))
    assert predicted["changed"] is real["changed"] is True, (predicted, real)
    for key in real:
        if key not in ("invocation", "_ansible_no_log"):
            assert predicted.get(key) == real[key], (task, key, predicted.get(key), real[key])


def test_factory_filer_brought_to_production(filers):
    edge, directory = filers.info["edges"][0], filers.info["directory"]
    assert edge["factory"] is True and "factory" not in filers.info["edges"][1]
    before = filers.state(edge)
    assert before["initialized"] is False and before["config"]["auth"]["users"] == []
    run = run_playbook(playbook_path("edge_device.yml"), extra_vars={
        "edge": edge, "directory": directory, "wrong_password": WRONG_PASSWORD, "user_password": USER_PASSWORD,
        "new_user_password": NEW_USER_PASSWORD, "new_hostname": "sto-filer-01", "timezone": TIMEZONE, "ou": OU})
    assert run.rc == 0, run.stdout + run.stderr
    result = run.result
    output = run.output()
    secrets = (edge["password"], directory["password"], WRONG_PASSWORD, USER_PASSWORD, NEW_USER_PASSWORD)
    shown = sum(output.count(secret) for secret in secrets)
    record("secrets", "device: setup, user, rotated and domain join passwords, refused join", "edge_setup, "
           "edge_user, edge_domain", "ok" if shown == 0 else "FAILED", secrets=shown)
    assert shown == 0

    # Setup: nothing readable but setup before it; predicted, done, then "already set up".
    assert result("Info before setup")["edge"] == {"url": edge["url"], "setup": {"initialized": False, "wizard": None}}
    assert result("Info before setup, more than setup")["msg"].startswith("the filer at %s is not set up yet" % edge["url"])
    assert_predicted(run, "Setup predicted")
    setup = result("Setup")
    assert setup["setup"] == {"initialized": True, "username": edge["username"], "email": "it@example.com",
                              "wizard": False}
    assert setup["created"] is True and keys(setup) == {"changed", "setup", "created", "msg", "diff"}
    assert setup["diff"] == {"before": {}, "after": {"initialized": True, "username": edge["username"],
                                                     "email": "it@example.com", "password": "******** (changed)",
                                                     "wizard": False}}
    again = result("Setup again")
    assert again["changed"] is False and again["created"] is False
    assert again["msg"] == "The filer was already set up: no administrator was created or changed"

    # Settings.
    assert_predicted(run, "Settings predicted")
    settings = {"hostname": "sto-filer-01", "location": "Stockholm, 3rd floor", "timezone": TIMEZONE,
                "ntp_servers": ["ntp1.example.com", "ntp2.example.com"]}
    assert result("Settings")["settings"] == settings
    assert result("Settings")["diff"]["before"] == {"hostname": "vGateway-0001", "location": None,
                                                    "timezone": before["config"]["time"]["TimeZone"],
                                                    "ntp_servers": before["config"]["time"]["NTPServer"]}
    assert result("Settings again")["changed"] is False and result("Settings again")["settings"] == settings
    assert result("NTP off")["diff"] == {"before": {"ntp_servers": settings["ntp_servers"]}, "after": {"ntp_servers": []}}
    assert result("NTP off again")["changed"] is False

    # Local users: exact result keys, the password never in them.
    assert_predicted(run, "User predicted")
    user = result("User")
    assert keys(user) == {"changed", "user", "diff"}
    assert user["user"] == {"name": "scanner", "full_name": "Office scanner", "email": "scanner@example.com", "uid": 1500}
    assert user["diff"]["after"]["password"] == "******** (changed)"
    assert result("User again")["changed"] is False
    assert result("User renamed in full, email cleared")["diff"] == {
        "before": {"full_name": "Office scanner", "email": "scanner@example.com"},
        "after": {"full_name": "Scanner 007", "email": None}}
    assert result("User password rotated")["diff"] == {"before": {"password": "********"},
                                                       "after": {"password": "******** (changed)"}}
    assert result("Second user gone")["user"] is None and result("Second user gone again")["changed"] is False

    # Local groups.
    assert_predicted(run, "Group predicted")
    assert result("Group")["group"]["members"] == [{"type": "local_user", "name": "scanner"},
                                                   {"type": "local_user", "name": "temp"}]
    assert result("Group again")["changed"] is False
    assert result("Group member removed")["diff"]["after"] == {"members": [{"type": "local_user", "name": "scanner"}]}
    assert result("Group member removed again")["changed"] is False

    # Domain: a refused join leaves the filer as it was; the join, rerun with the domain in capitals, the leave.
    refused = result("Join with a wrong password")
    assert "wrong user name or password" in refused["msg"]
    assert result("Info after the refused join")["edge"]["domain"] == {"state": "left", "domain": None,
                                                                       "workgroup": "CTERA"}
    assert_predicted(run, "Join predicted")
    assert result("Join")["diff"] == {"before": {"state": "left", "domain": None},
                                      "after": {"state": "joined", "domain": directory["domain"]}}
    assert result("Join again")["changed"] is False
    assert result("Domain admins administer the filer")["group"]["members"] == [
        {"type": "domain_group", "name": "CORP\\Domain Admins"}, {"type": "local_user", "name": edge["username"]}]
    assert result("Domain admins again, spelled differently")["changed"] is False
    assert "leave it first" in result("Second filer's domain is left alone by a mismatching join")["msg"]
    assert_predicted(run, "Leave predicted")
    assert result("Leave again")["changed"] is False and result("Join for good")["changed"] is True

    # edge_info reports every setting as the modules left it.
    info = result("Info with everything")["edge"]
    assert info["setup"] == {"initialized": True, "wizard": False}
    assert info["settings"] == dict(settings, ntp_servers=[])
    assert info["domain"] == {"state": "joined", "domain": directory["domain"], "workgroup": None}
    assert [u["name"] for u in info["users"]] == [edge["username"], "scanner"]
    assert {g["name"]: g["members"] for g in info["groups"]}["scanners"] == [{"type": "local_user", "name": "scanner"}]
    assert info["firmware"] and info["portal"]["connected"] is False

    # The simulator's own state.
    state = filers.state(edge)
    config = state["config"]
    assert state["initialized"] is True and config["gui"]["openFirstTimeWizard"] is False
    assert config["device"]["hostname"] == "sto-filer-01" and config["device"]["location"] == "Stockholm, 3rd floor"
    assert config["time"] == {"_classname": "TimeSettings", "TimeZone": TIMEZONE, "NTPMode": "disabled",
                              "NTPServer": settings["ntp_servers"]}
    users = {u["username"]: u for u in config["auth"]["users"]}
    assert sorted(users) == [edge["username"], "scanner"]
    assert users[edge["username"]]["email"] == "it@example.com"
    assert (users["scanner"]["fullName"], users["scanner"]["email"], users["scanner"]["uid"]) == ("Scanner 007", None, 1500)
    groups = {g["name"]: g["members"] for g in config["auth"]["groups"]}
    assert groups["scanners"] == [{"_classname": "LocalUser", "ref": "#config#auth#users#scanner"}]
    assert groups["Read Only Administrators"] == [{"_classname": "LocalGroup", "ref": "#config#auth#groups#scanners"}]
    assert {"_classname": "DomainGroup", "name": "CORP\\Domain Admins"} in groups["Administrators"]
    assert state["domain_join"]["joined"] is True and state["domain_join"]["ou"] == OU
    assert config["fileservices"]["cifs"]["type"] == "domain"
    assert config["fileservices"]["cifs"]["domain"] == directory["domain"]

    # And through cterasdk: the administrator setup created logs in; the rotated password is the user's password.
    client = sdk_login(edge, edge["username"], edge["password"])
    try:
        assert client.config.get_hostname() == "sto-filer-01"
        assert client.timezone.get_timezone() == TIMEZONE
        assert client.config.is_wizard_enabled() is False
        assert client.directoryservice.connected() is True
        assert client.users.get("scanner").fullName == "Scanner 007"
    finally:
        client.logout()
    sdk_login(edge, "scanner", NEW_USER_PASSWORD).logout()
    with pytest.raises(AuthenticationError):
        sdk_login(edge, "scanner", USER_PASSWORD)


def test_bad_input_is_refused_before_any_write(filers):
    edge = filers.info["edges"][1]
    filers.reset(edge)
    before = filers.state(edge)
    bad = {"hostname": "bad_host!", "timezone": "Europe/Stockholm", "ntp_servers": ["ok.example.com", "bad server"],
           "user": "-bad", "password": "Pw-0123456", "uid": 0, "domain_member": "nodomain", "domain": "not a domain"}
    run = run_playbook(playbook_path("edge_device_bad_input.yml"), extra_vars={"edge": edge, "bad": bad})
    assert run.rc == 0, run.stdout + run.stderr
    messages = dict((task["task"], task["result"].get("msg", "")) for task in run.tasks)
    expected = {
        "Bad hostname": "hostname must be 1 to 63 letters",
        "Bad timezone": "timezone must be a time zone as the filer names it",
        "Bad NTP server": "ntp_servers must be host names or addresses, got 'bad server'",
        "Bad user name": "name must be 1 to 64 letters",
        "Bad uid": "uid must be between 1 and 65533, got 0",
        "User without password": "password is required to create the local user 'newuser'",
        "Deleting oneself": "cannot delete itself",
        "Missing member": "members of the group 'newgroup' do not exist on the filer: local user 'ghost'",
        "Domain member on a filer not joined": "need a filer joined to a domain",
        "Domain member without a domain": "members[0].name must name a domain member as DOMAIN\\name",
        "Built-in group deleted": "'Administrators' is a built-in group of the filer; it cannot be deleted",
        "Bad domain": "domain must be the DNS name of an Active Directory domain",
        "Bad setup user name": "username must be 1 to 64 letters",
        "Setup of a set-up filer with another password": "is already set up, and 'admin' cannot log in to it",
    }
    assert sorted(messages) == sorted(expected)
    after = filers.state(edge)
    writes = [key for key in filers.stats(edge)["requests"]
              if not key.startswith("GET ") and key not in ("POST /admingui/api/login", "POST /admingui/api/logout")]
    for task, text in expected.items():
        refused = text in messages[task] and not writes and after["config"] == before["config"]
        record("bad_input", "device: " + task.lower(), MODULE_OF_CASE[task], "refused" if refused else "FAILED",
               writes=len(writes), detail=messages[task])
        assert text in messages[task], (task, messages[task])
    assert after["config"] == before["config"] and after["domain_join"] == before["domain_join"]
    assert writes == []
    assert bad["password"] not in run.output() and edge["password"] not in run.output()


MODULE_OF_CASE = {
    "Bad hostname": "edge_settings", "Bad timezone": "edge_settings", "Bad NTP server": "edge_settings",
    "Bad user name": "edge_user", "Bad uid": "edge_user", "User without password": "edge_user",
    "Deleting oneself": "edge_user", "Missing member": "edge_group", "Domain member on a filer not joined": "edge_group",
    "Domain member without a domain": "edge_group", "Built-in group deleted": "edge_group", "Bad domain": "edge_domain",
    "Bad setup user name": "edge_setup", "Setup of a set-up filer with another password": "edge_setup",
}
