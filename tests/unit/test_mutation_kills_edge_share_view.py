# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_share on a filer with the older share shape (firmware before 7.12.5400, module_utils/_edge_shares.py
share_view): a share exported to the PC agent shows ``export_to_pc_agent: true``, and a rerun asking for the same
is unchanged and writes nothing (mutation testing, docs/mutation.md)."""

import pytest

from ansible_collections.filefleet.office.plugins.modules import ctera_share
from test_edge_resources import FakeFiler, share


@pytest.fixture
def old_filer(monkeypatch):
    fake = FakeFiler(v1=True)
    monkeypatch.setattr(ctera_share, "edge_session", lambda scope, params: fake)
    return fake


@pytest.mark.parametrize("exported", [True, False])
def test_the_pc_agent_export_is_read_back_and_a_rerun_is_unchanged(old_filer, exported):
    done = share(old_filer, name="old", directory="cloud", export_to_pc_agent=exported)
    assert done["changed"] is True and done["share"]["export_to_pc_agent"] is exported
    assert old_filer.state["shares"][0]["exportToPCAgent"] is exported
    writes = len(old_filer.writes)
    again = share(old_filer, name="old", directory="cloud", export_to_pc_agent=exported)
    assert again["changed"] is False and again["share"]["export_to_pc_agent"] is exported
    assert len(old_filer.writes) == writes
