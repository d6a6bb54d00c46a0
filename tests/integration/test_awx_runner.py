# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX readiness: the onboarding playbook through ansible-runner (the engine under AWX), and ansible-builder
introspection of the collection's execution-environment metadata."""

import glob
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from integration_support import COLLECTIONS, _ensure_collection_link
from office_helpers import (
    OFFICES, REPO, cloutility_units, credentials_env, filer_state, office_vars, portal_users, start_fleet,
)

BIN = os.path.dirname(sys.executable)


@pytest.fixture()
def private_data_dir(tmp_path):
    """A private data directory laid out the way AWX prepares one for a job."""
    _ensure_collection_link()
    sims = start_fleet(str(tmp_path / "sims"))
    pdd = tmp_path / "job"
    (pdd / "env").mkdir(parents=True)
    # The project checkout.
    os.symlink(REPO, str(pdd / "project"))
    # The inventory: the office design plus each filer's URL and password (in AWX: an inventory source and vault).
    shutil.copytree(os.path.join(REPO, "inventories", "demo"), str(pdd / "inventory"))
    filers = {e["name"]: {"edge_url": e["url"], "edge_username": e["username"], "edge_password": e["password"]}
              for e in sims.info["edges"]}
    (pdd / "inventory" / "filers.yml").write_text(yaml.safe_dump({"all": {"hosts": filers}}))
    # Credentials as environment variables, exactly what the credential types of docs/awx.md inject.
    envvars = credentials_env(sims)
    envvars.update({"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS, "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false"})
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    yield sims, pdd, envvars
    sims.stop()


def _runner(pdd, ident):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    for key in [k for k in env if k.startswith(("CTERA_", "CLOUTILITY_"))]:
        del env[key]  # only what the job's env/envvars injects
    proc = subprocess.run([os.path.join(BIN, "ansible-runner"), "run", str(pdd), "-p", "playbooks/onboard_office.yml",
                           "--ident", ident], capture_output=True, text=True, env=env, timeout=600, check=False)
    events = []
    for path in sorted(glob.glob(str(pdd / "artifacts" / ident / "job_events" / "*.json"))):
        with open(path) as handle:
            events.append(json.load(handle))
    events.sort(key=lambda e: e.get("counter", 0))
    rc = int((pdd / "artifacts" / ident / "rc").read_text().strip())
    status = (pdd / "artifacts" / ident / "status").read_text().strip()
    return proc, rc, status, events


def _stats(events):
    stats = [e for e in events if e["event"] == "playbook_on_stats"]
    assert stats, "no playbook_on_stats event"
    return stats[-1]["event_data"]


@pytest.mark.one_mode("slow, and AWX's engine in its default mode; test_roles runs the roles in both modes")
def test_onboarding_through_ansible_runner(private_data_dir):
    sims, pdd, envvars = private_data_dir
    proc, rc, status, events = _runner(pdd, "first")
    failed = [e["event_data"].get("res", {}).get("msg") for e in events if e["event"] == "runner_on_failed"]
    assert (rc, status) == (0, "successful"), (failed, proc.stdout[-2000:], proc.stderr[-2000:])

    stats = _stats(events)
    assert sum(stats["changed"].values()) > 0
    assert not stats.get("failures") and not stats.get("dark")
    oks = [e for e in events if e["event"] == "runner_on_ok"]
    assert {e["event_data"]["host"] for e in oks} == {h for spec in OFFICES.values() for h in spec["filers"]}
    user_events = [e for e in oks if "Portal users" in e["event_data"]["task"]]
    assert sorted(e["event_data"]["host"] for e in user_events) == ["edge-001", "edge-003"]

    # The result, through the simulators.
    for office, spec in OFFICES.items():
        expected = office_vars(office)
        assert {u["name"] for u in expected["office_users"]} <= set(portal_users(sims, spec["tenant"]))
        assert set(cloutility_units(sims, spec["unit"])) == {c["name"] for c in expected["office_backup_consumers"]}
        for filer in spec["filers"]:
            assert filer_state(sims, filer)["sync"] == "enabled"

    # No secret in what the job produced: its events and its output. (artifacts/<id>/command is runner's own copy
    # of the environment it was given, like env/envvars itself.)
    artifacts = ""
    produced = glob.glob(str(pdd / "artifacts" / "first" / "job_events" / "*.json"))
    produced += [str(pdd / "artifacts" / "first" / name) for name in ("stdout", "stderr")]
    for path in produced:
        if os.path.isfile(path):
            with open(path, errors="replace") as handle:
                artifacts += handle.read()
    for key in ("CTERA_PORTAL_PASSWORD", "CLOUTILITY_PASSWORD"):
        assert envvars[key] not in artifacts, key
    assert "Demo-Passw0rd-1" not in artifacts

    proc, rc, status, events = _runner(pdd, "second")
    assert (rc, status) == (0, "successful"), proc.stdout[-2000:]
    assert sum(_stats(events)["changed"].values()) == 0


@pytest.mark.one_mode("runs no module: execution-environment metadata only")
def test_ansible_builder_introspect():
    _ensure_collection_link()
    proc = subprocess.run([os.path.join(BIN, "ansible-builder"), "introspect", "--sanitize", COLLECTIONS],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(proc.stdout)
    python = [line.split("#")[0].strip() for line in data["python"]]
    assert sorted(python) == ["defusedxml>=0.7.0", "requests>=2.25.0"]
    # Lower bounds only: an execution environment must be free to take newer versions.
    for requirement in python:
        assert "==" not in requirement and "<" not in requirement
    assert all("filefleet.office" in line for line in data["python"])
