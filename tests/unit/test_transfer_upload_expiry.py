# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An upload (module_utils/_transfer.py, CloudFiles.upload) whose session expired just before it, by a global
administrator acting in a tenant, against the Portal simulator in-process (found by
tests/integration/test_fault_matrix_new_modules.py). The simulator answers the expired session before it reads the
body and closes the connection, as a real portal does once a body is larger than it reads (Tomcat: 2 MB): the
client sees a lost connection, asks whether its session expired, logs in again, browses the tenant again and sends
the upload once more. What landed is read from the simulator's state."""

import hashlib
import os

import pytest

from simulators.harness import Simulators
from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession
from ansible_collections.filefleet.office.plugins.module_utils._transfer import CloudFiles, TransferError

UPLOADS = "/admin/upload/folders/"
PATH = "Users/Upload Owner/Drop"


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("upload-expiry")), portal=True) as running:
        portal = running.info["portal"]
        running.sim_call(portal, "/_sim/files", "POST", {"block_size": 4096})
        _key, running.uid = running.seed_drive_owner("uploader", "Upload Owner", "Tenant1!pw", "Drop", s3_key=False)
        yield running


@pytest.fixture()
def files(sims):
    portal = sims.info["portal"]
    sims.faults(portal, {})
    session = PortalSession(portal["url"], portal["username"], portal["password"], ca_path=portal["ca_path"]).login()
    session.browse("acme")
    yield CloudFiles(session)
    sims.faults(portal, {})
    session.close()


def stored(sims):
    return sims.state(sims.info["portal"])["tenants"]["acme"].get("cloud_files", {}).get(str(sims.uid), {})


def test_an_upload_whose_session_expired_is_sent_again_in_the_tenant(sims, files, tmp_path):
    content = os.urandom(4 * 1024 * 1024)  # more than the connection takes in before the simulator closes it
    (tmp_path / "big.bin").write_bytes(content)
    portal = sims.info["portal"]
    logins = sims.stats(portal)["logins"]
    sims.faults(portal, {"expire": [{"count": 1, "path": UPLOADS}]})
    assert files.upload(str(tmp_path / "big.bin"), PATH + "/big.bin", sims.uid) == len(content)
    stats = sims.stats(portal)
    assert stats["faults_injected"] == {"expire": 1}
    assert stats["logins"] == logins + 1
    assert stats["requests"]["POST %s%d" % (UPLOADS, sims.uid)] == 2
    assert stored(sims)["big.bin"]["sha256"] == hashlib.sha256(content).hexdigest()


def test_an_upload_cut_short_for_another_reason_is_not_sent_again(sims, files, tmp_path):
    (tmp_path / "cut.bin").write_bytes(os.urandom(300000))
    portal = sims.info["portal"]
    before = sims.stats(portal)
    sims.faults(portal, {"drop": [{"count": 1, "path": UPLOADS, "after_bytes": 100000}]})
    with pytest.raises(TransferError) as info:
        files.upload(str(tmp_path / "cut.bin"), PATH + "/cut.bin", sims.uid)
    assert info.value.message.startswith("upload '%s/cut.bin' failed, the portal kept nothing of it" % PATH)
    after = sims.stats(portal)
    assert after["logins"] == before["logins"]  # the session was asked about and had not expired
    assert after["requests"]["POST %s%d" % (UPLOADS, sims.uid)] == \
        before["requests"].get("POST %s%d" % (UPLOADS, sims.uid), 0) + 1
    assert "cut.bin" not in stored(sims)
