# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every example inventory sets the interpreter deliberately: its hosts are managed from the controller
(ansible_connection: local) by the Python that runs ansible-playbook, the one that has requests and defusedxml.
With interpreter discovery, modules run as ordinary modules (FILEFLEET_OFFICE_IN_PROCESS=0) would take the first
Python found, which may lack them. Read with ansible-core's own inventory loader, whatever inventories the tree holds."""

import glob
import os

import pytest

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.manager import VariableManager

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# inventories/: the sources of one example used together (the demo's offices, and the device stage beside them);
# playbooks/inventory/: each file an example of its own.
SOURCES = [sorted(p for p in glob.glob(os.path.join(ROOT, "inventories", "*")) if os.path.isdir(p))]
SOURCES += [[path] for path in sorted(glob.glob(os.path.join(ROOT, "playbooks", "inventory", "*.y*ml")))]


def host_vars(sources):
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=sources)
    manager = VariableManager(loader=loader, inventory=inventory)
    return dict((host.name, manager.get_vars(host=host, include_hostvars=False)) for host in inventory.get_hosts())


def test_example_inventories_found():
    assert any(os.path.join(ROOT, "inventories", "demo") in sources for sources in SOURCES)
    assert any(path.endswith("fleet_example.yml") for sources in SOURCES for path in sources)


@pytest.mark.parametrize("sources", SOURCES, ids=lambda s: ",".join(os.path.relpath(p, ROOT) for p in s))
def test_every_host_runs_on_the_controller_with_the_playbook_python(sources):
    found = host_vars(sources)
    assert found, "no hosts in %s" % sources
    wanted = ("local", "{{ ansible_playbook_python }}")
    wrong = dict((name, (v.get("ansible_connection"), v.get("ansible_python_interpreter"))) for name, v in found.items())
    wrong = dict((name, setting) for name, setting in wrong.items() if setting != wanted)
    assert not wrong, "hosts without ansible_connection=local and ansible_python_interpreter={{ ansible_playbook_python }}: %s" % wrong
