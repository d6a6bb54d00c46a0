# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""edge_config_export: the filer's configuration streamed to a file, checked against the simulator's own state."""

import hashlib
import os
import stat
import xml.etree.ElementTree as ET

from integration_support import edge_env, playbook_path, run_playbook

PLAY = playbook_path("edge_config_export.yml")


def share_names_in(path):
    root = ET.parse(path).getroot()
    names = set()
    for att in root.iter("att"):
        if att.get("id") == "name":
            val = att.find("val")
            if val is not None and val.text:
                names.add(val.text)
    return names


def test_export_is_streamed_idempotent_and_private(sims, tmp_path):
    edge = sims.info["edges"][1]
    env = edge_env(sims, 1)
    dest = str(tmp_path / "filer.xml")

    check = run_playbook(PLAY, env=env, check=True, extra_vars={"dest": dest})
    assert check.rc == 0 and check.changed() == 1, check.stdout
    assert not os.path.exists(dest)
    assert not [f for f in os.listdir(str(tmp_path)) if f.startswith(".filefleet-")]  # no temp file left behind

    run = run_playbook(PLAY, env=env, diff=True, extra_vars={"dest": dest})
    assert run.rc == 0 and run.changed() == 1, run.stdout
    result = run.result("Configuration saved")
    with open(dest, "rb") as handle:
        data = handle.read()
    assert result["checksum"] == hashlib.sha256(data).hexdigest() and result["size"] == len(data)
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    shares = sims.state(edge)["config"]["fileservices"]["share"]
    stored_names = set(s["name"] for s in (shares.values() if isinstance(shares, dict) else shares))
    assert stored_names <= share_names_in(dest)
    assert edge["password"] not in run.output()

    again = run_playbook(PLAY, env=env, extra_vars={"dest": dest})
    assert again.rc == 0 and again.changed() == 0


def test_expired_session_during_export_is_renewed(sims, tmp_path):
    edge = sims.info["edges"][2]
    dest = str(tmp_path / "filer.xml")
    logins = sims.stats(edge)["logins"]
    sims.faults(edge, {"errors": [{"status": 401, "count": 1, "path": "/admingui/api/export", "method": "GET"}]})
    run = run_playbook(PLAY, env=edge_env(sims, 2), extra_vars={"dest": dest})
    assert run.rc == 0, run.stdout
    assert os.path.getsize(dest) > 0
    assert sims.stats(edge)["logins"] == logins + 2  # the first session, then one renewal


def test_bad_dest_fails_before_any_request(sims, tmp_path):
    edge = sims.info["edges"][3]
    before = sims.stats(edge)["total_requests"]
    run = run_playbook(PLAY, env=edge_env(sims, 3), extra_vars={"dest": str(tmp_path / "missing" / "x.xml")})
    assert run.rc != 0
    assert "does not exist" in run.result("Configuration saved")["msg"]
    assert sims.stats(edge)["total_requests"] == before
