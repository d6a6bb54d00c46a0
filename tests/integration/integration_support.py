# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for integration tests: real ``ansible-playbook`` runs against the simulators."""

import json
import os
import subprocess
import sys
import tempfile

import pytest

from simulators.harness import Simulators

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS = os.path.join(REPO, "build", "collections")
BIN = os.path.dirname(sys.executable)
PLAYBOOKS = os.path.join(HERE, "playbooks")
# The execution mode run_playbook gives ansible-playbook (FILEFLEET_OFFICE_IN_PROCESS), set for every test by the
# execution_mode fixture of conftest.py; what a test passes in env= overrides it.
EXECUTION_MODE_ENV = {}


def playbook_path(name):
    """A test playbook of tests/integration/playbooks."""
    return os.path.join(PLAYBOOKS, name)


def _ensure_collection_link():
    link = os.path.join(COLLECTIONS, "ansible_collections", "filefleet", "office")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)


class PlaybookRun:
    def __init__(self, rc, stdout, stderr, records):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.records = records
        self.tasks = [r for r in records if r["event"] == "task"]
        stats = [r for r in records if r["event"] == "stats"]
        self.stats = stats[-1]["hosts"] if stats else {}

    def changed(self, host=None):
        hosts = [host] if host else list(self.stats)
        return sum(self.stats[h]["changed"] for h in hosts)

    def failed(self, host=None):
        hosts = [host] if host else list(self.stats)
        return sum(self.stats[h]["failures"] + self.stats[h]["unreachable"] for h in hosts)

    def results(self, task_name=None, host=None):
        return [r["result"] for r in self.tasks
                if (task_name is None or r["task"] == task_name) and (host is None or r["host"] == host)]

    def result(self, task_name, host=None):
        found = self.results(task_name, host)
        assert found, "no result for task %r; tasks: %s" % (task_name, [t["task"] for t in self.tasks])
        return found[-1]

    def output(self):
        """Everything the run showed or recorded, except the loop items themselves (the caller's own data)."""
        return self.stdout + self.stderr + json.dumps(_strip_items(self.records))


def _strip_items(value):
    if isinstance(value, dict):
        return dict((k, _strip_items(v)) for k, v in value.items() if k not in ("item", "_ansible_item_label"))
    if isinstance(value, list):
        return [_strip_items(v) for v in value]
    return value


def run_playbook(playbook, inventory=None, extra_vars=None, check=False, diff=False, env=None, tags=None,
                 verbosity=0, forks=None, cwd=None, extra_args=(), bin_dir=None):
    """Run ansible-playbook (a path, or YAML text) and return a PlaybookRun.

    bin_dir: the bin directory of another virtual environment whose ansible-playbook (and python, for the default
    inventory) to use, e.g. .venv-core216/bin (test_core_versions.py); the development venv's by default."""
    python = os.path.join(bin_dir, "python") if bin_dir else sys.executable
    bin_dir = bin_dir or BIN
    _ensure_collection_link()
    workdir = tempfile.mkdtemp(prefix="ffpb-")
    if "\n" in playbook:
        path = os.path.join(workdir, "play.yml")
        with open(path, "w") as handle:
            handle.write(playbook)
        playbook = path
    record = os.path.join(workdir, "record.jsonl")
    if inventory is None:
        inventory = os.path.join(workdir, "hosts.ini")
        with open(inventory, "w") as handle:
            handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % python)
    cmd = [os.path.join(bin_dir, "ansible-playbook"), "-i", inventory, playbook]
    if extra_vars:
        varfile = os.path.join(workdir, "vars.json")
        with open(varfile, "w") as handle:
            json.dump(extra_vars, handle)
        cmd += ["-e", "@" + varfile]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if tags:
        cmd += ["--tags", tags]
    if forks:
        cmd += ["--forks", str(forks)]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    cmd += list(extra_args)
    full_env = dict(os.environ)
    full_env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "filefleet_record",
        "FILEFLEET_RECORD_FILE": record,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
    })
    full_env.update(EXECUTION_MODE_ENV)
    full_env.update(env or {})
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=cwd or workdir, timeout=900, check=False)
    records = []
    if os.path.exists(record):
        with open(record) as handle:
            records = [json.loads(line) for line in handle if line.strip()]
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, records)


@pytest.fixture(scope="session")
def sims(tmp_path_factory, execution_mode):
    """One set of simulators (TLS) per execution mode: a portal, four filers and Cloutility."""
    state = str(tmp_path_factory.mktemp("sims-" + execution_mode))
    simulators = Simulators(state, portal=True, edges=4, cloutility=True)
    simulators.start()
    yield simulators
    simulators.stop()


def portal_env(sims):
    portal = sims.info["portal"]
    return {"CTERA_PORTAL_URL": portal["url"], "CTERA_PORTAL_USERNAME": portal["username"],
            "CTERA_PORTAL_PASSWORD": portal["password"], "CTERA_CA_PATH": portal["ca_path"]}


def edge_env(sims, index=0):
    edge = sims.info["edges"][index]
    return {"CTERA_EDGE_URL": edge["url"], "CTERA_EDGE_USERNAME": edge["username"],
            "CTERA_EDGE_PASSWORD": edge["password"], "CTERA_CA_PATH": edge["ca_path"]}


def cloutility_env(sims):
    clou = sims.info["cloutility"]
    return {"CLOUTILITY_URL": clou["url"], "CLOUTILITY_USERNAME": clou["username"],
            "CLOUTILITY_PASSWORD": clou["password"], "CLOUTILITY_CLIENT_ID": clou["client_id"],
            "CLOUTILITY_ORIGIN": clou["origin"], "CLOUTILITY_CA_PATH": clou["ca_path"]}
