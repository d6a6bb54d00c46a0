# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/fleet_report.yml: the JSON against the simulators' state, the HTML page in headless Chromium."""

import contextlib
import datetime
import json
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.parse
import zlib

import aiohttp.connector
import pytest

from cterasdk import Edge
from integration_support import run_playbook
from office_helpers import (
    DEMO_INVENTORY, OFFICES, PLAYBOOKS, cloutility_units, credentials_env, edge_entry, filer_inventory, filer_state,
    start_fleet,
)

GREEN = (0x2E, 0x7D, 0x32)   # healthy
GREY = (0x9E, 0x9E, 0x9E)    # off
PURPLE = (0x6A, 0x1B, 0x9A)  # pending (on, no backup completed yet)
ORANGE = (0xEF, 0x6C, 0x00)  # warning (the last backup is too old)
RED = (0xC6, 0x28, 0x28)     # failing
RUNNING_FILER = "edge-001"       # its first backup runs (never completed): pending, not healthy
BACKED_UP_FILER = "edge-002"     # its first backup completed before the report
DISCONNECTED_FILER = "edge-003"  # an Oslo filer disconnected from the portal: its cloud sync is failing
RERUN = {}


@pytest.fixture(scope="module")
def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, timeout=600, check=False)
        if shutil.which("chromium") is None:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=600, check=False)
            subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, timeout=600, check=False)
        path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed and apt-get is not available to install it (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory, execution_mode):
    """Stockholm onboarded, Oslo untouched, a backup running on one Stockholm filer; then the fleet report (in each
    execution mode, on fresh simulators)."""
    tmp = tmp_path_factory.mktemp("report-" + execution_mode)
    sims = start_fleet(str(tmp / "sims"))
    inventory = filer_inventory(sims, str(tmp / "filers.json"))
    env = credentials_env(sims)
    onboard = run_playbook(os.path.join(PLAYBOOKS, "onboard_office.yml"), inventory=DEMO_INVENTORY, env=env,
                           extra_args=["-i", inventory, "--limit", "stockholm"])
    assert onboard.rc == 0, onboard.output()[-3000:]
    # With the official SDK, as an administrator would: one filer completes its first backup, another starts one
    # that runs for ten minutes, and an Oslo filer is disconnected from its portal.
    sims.sim_call(edge_entry(sims, BACKED_UP_FILER), "/_sim/edge", "POST", {"backup_seconds": 0})
    sims.sim_call(edge_entry(sims, RUNNING_FILER), "/_sim/edge", "POST", {"backup_seconds": 600})
    with sdk_session(edge_entry(sims, BACKED_UP_FILER)) as client:
        client.backup.start()
    with sdk_session(edge_entry(sims, RUNNING_FILER)) as client:
        client.backup.start()
    with sdk_session(edge_entry(sims, DISCONNECTED_FILER)) as client:
        client.services.disconnect()
    # The nodes' first backups end a few seconds after their activation; report once they have happened.
    ends = [epoch(info["last_backup_end"]) for spec in OFFICES.values()
            for info in node_activity(sims, spec["unit"]).values() if info["last_backup_end"]]
    if ends:
        time.sleep(max(0.0, min(30.0, max(ends) + 1.0 - time.time())))
    out = tmp / "out"

    def report_run():
        return run_playbook(os.path.join(PLAYBOOKS, "fleet_report.yml"), inventory=DEMO_INVENTORY, env=env,
                            extra_args=["-i", inventory, "-e", "fleet_report_dir=%s" % out])
    RERUN["report"] = report_run
    run = report_run()
    yield sims, run, out
    sims.stop()


@contextlib.contextmanager
def sdk_session(edge):
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=edge["ca_path"])  # pylint: disable=protected-access
    parts = urllib.parse.urlsplit(edge["url"])
    client = Edge(parts.hostname, parts.port)
    client.login(edge["username"], edge["password"])
    try:
        yield client
    finally:
        client.logout()


def test_report_matches_the_systems(report):
    sims, run, out = report
    assert run.rc == 0, run.output()[-3000:]
    data = json.loads((out / "fleet-report.json").read_text())
    offices = {o["name"]: o for o in data["offices"]}
    assert set(offices) == set(OFFICES)
    for name, spec in OFFICES.items():
        filers = {f["name"]: f for f in offices[name]["filers"]}
        assert set(filers) == set(spec["filers"])
        for filer_name, filer in filers.items():
            state = filer_state(sims, filer_name)
            device = sims.state(edge_entry(sims, filer_name))["device"]
            assert sorted(filer["shares"]) == state["shares"]
            assert filer["sync"]["state"] == state["sync"]
            assert filer["backup"]["state"] == ("enabled" if state["backup_attached"] else "not_configured")
            assert filer["backup"]["running"] is (state["backup_run"] == "Running")
            assert (filer["firmware"], filer["model"]) == (device["firmware"], device["model"])
            # The cloud folders the filer shows: cloud/users/{owner}/{folder} on its cloud volume, as it holds it.
            cloud = sims.state(edge_entry(sims, filer_name))["volume_tree"]["cloud"]
            shown = sorted(d.split("/")[1:] for d in cloud if d.startswith("users/") and d.count("/") == 2)
            assert shown, "the filer shows no cloud folder: nothing to compare"
            assert [[f["owner"], f["name"]] for f in filer["cloud_folders"]] == shown
            assert [f["path"] for f in filer["cloud_folders"]] == ["cloud/users/%s/%s" % tuple(p) for p in shown]
        units = cloutility_units(sims, spec["unit"])
        assert {n["consumer_name"]: n["activated"] for n in offices[name]["nodes"]} == \
            {unit: info["activated"] for unit, info in units.items() if info["node"]}
        # Last activity of each node: the latest end of a backup of its filespaces, as Cloutility holds them.
        assert {n["consumer_name"]: n["last_access_time"] for n in offices[name]["nodes"]} == \
            {unit: info["last_backup_end"] for unit, info in node_activity(sims, spec["unit"]).items()}
    assert filer_state(sims, RUNNING_FILER)["backup_run"] == "Running"
    running = [f for f in offices["Stockholm"]["filers"] if f["name"] == RUNNING_FILER][0]
    assert running["backup"]["running"] is True and running["backup"]["last_successful_backup"] is None
    assert running["backup_health"] == "pending" and running["backup_note"] == "first backup in progress, none completed yet"
    backed_up = [f for f in offices["Stockholm"]["filers"] if f["name"] == BACKED_UP_FILER][0]
    assert backed_up["backup_health"] == "ok" and backed_up["backup"]["last_successful_backup"]
    assert offices["Stockholm"]["backup"]["ok"] == 1 and offices["Stockholm"]["backup"]["pending"] == 1
    assert data["backup_max_age_hours"] == 36 and data["totals"]["unreadable"] == 0
    assert "0 of the 4 filers could not be read." in run.stdout
    assert offices["Oslo"]["backup"]["off"] == 2
    # The disconnected filer is failing, whatever its last sync status says; the other Oslo filer is not.
    oslo = dict((f["name"], f) for f in offices["Oslo"]["filers"])
    assert oslo[DISCONNECTED_FILER]["portal"]["connected"] is False
    assert oslo[DISCONNECTED_FILER]["sync_health"] == "error" and offices["Oslo"]["sync"]["error"] == 1
    assert [f["sync_health"] for n, f in oslo.items() if n != DISCONNECTED_FILER] == ["ok"]
    assert all(n["last_access_time"] for n in offices["Stockholm"]["nodes"])
    assert data["totals"]["filers"] == 4
    # Read-only: the report run changed nothing anywhere but its own files.
    assert all(run.stats[h]["changed"] == 0 for h in run.stats if h != "localhost")


def epoch(iso):
    return datetime.datetime.strptime(iso.rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def node_activity(sims, unit_name):
    """Consumption units with a node in a business unit (by name): the latest lastBackupEnd of their filespaces."""
    state = sims.state(sims.info["cloutility"])
    unit_ids = [int(bid) for bid, unit in state["bunits"].items() if unit["name"] == unit_name]
    found = {}
    for consumer in state["consumers"].values():
        node = consumer.get("node")
        if consumer["bunitId"] in unit_ids and node:
            ends = [f["lastBackupEnd"] for f in node.get("filespaces") or [] if f.get("lastBackupEnd")]
            found[consumer["name"]] = {"last_backup_end": max(ends) if ends else None}
    return found


def _png_pixels(path):
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into (width, height, rows of tuples)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _c, _f, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            up_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + ((left + up) >> 1)) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, channels)])
        previous = line
    return width, height, rows


def _near(pixel, colour, tolerance=6):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


@pytest.mark.one_mode("the page in a browser: test_report_matches_the_systems checks the report's data in both modes")
def test_html_page_in_headless_chromium(report, chromium):
    sims, run, out = report
    page = out / "fleet-report.html"
    html = page.read_text()
    # Self-contained: nothing is loaded from anywhere (no links, scripts, images, imports or CSS urls).
    for marker in ("src=", "href=", "<link", "<script", "<img", "@import", "url("):
        assert marker not in html, marker
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1400"]
    dom = subprocess.run(base + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for office, spec in OFFICES.items():
        assert office in dom.stdout
        for filer in spec["filers"]:
            assert filer in dom.stdout
    assert 'id="health-chart"' in dom.stdout
    assert dom.stdout.count("backup running") == 1
    data = json.loads((out / "fleet-report.json").read_text())
    folders = [f for o in data["offices"] for filer in o["filers"] for f in filer["cloud_folders"]]
    assert folders and dom.stdout.count('<td class="cloud-folders">') == 4
    for folder in folders:
        assert "%s/%s" % (folder["owner"], folder["name"]) in dom.stdout
    shot = out / "fleet-report.png"
    result = subprocess.run(base + ["--screenshot=%s" % shot, page.as_uri()], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    width, height, rows = _png_pixels(str(shot))
    assert (width, height) == (1280, 1400)
    pixels = [p for row in rows[::2] for p in row[::2]]
    assert len(set(pixels)) > 50, "the page looks blank"
    green = sum(1 for p in pixels if _near(p, GREEN))
    grey = sum(1 for p in pixels if _near(p, GREY))
    purple = sum(1 for p in pixels if _near(p, PURPLE))
    red = sum(1 for p in pixels if _near(p, RED))
    # Stockholm's bars and badges are green (healthy), but for the filer whose first backup has not completed
    # (purple, pending: not protected yet); Oslo's backup bar is grey, and its disconnected filer's sync is red.
    assert green > 2000, green
    assert grey > 1000, grey
    assert purple > 200, purple
    assert red > 200, red
    assert dom.stdout.count("failing") >= 1
    assert "first backup in progress, none completed yet" in dom.stdout


def closed_port():
    """A local port nothing listens on: a filer that cannot be reached."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_filer_old_backup_and_collection_failure(report, tmp_path, chromium):
    """An unreachable filer is in the report and counted, and the run succeeds; a last backup older than the play's
    limit is a warning (orange); a failure of the collection itself (a bad argument) fails the run, writes no
    report and says so."""
    sims, _run, _out = report
    gone = tmp_path / "gone.json"
    gone.write_text(json.dumps({"stockholm": {"hosts": {"edge-gone": {
        "edge_url": "https://127.0.0.1:%d" % closed_port(), "edge_username": "admin", "edge_password": "x"}}}}))
    inventory = filer_inventory(sims, str(tmp_path / "filers.json"))
    env = credentials_env(sims)
    out = tmp_path / "out"
    time.sleep(1.0)  # edge-002's last backup is over a second old, so over a limit of 0.0002 hours (0.72 s)
    run = run_playbook(os.path.join(PLAYBOOKS, "fleet_report.yml"), inventory=DEMO_INVENTORY, env=env,
                       extra_args=["-i", inventory, "-i", str(gone), "-e", "fleet_report_dir=%s" % out,
                                   "-e", "fleet_report_backup_max_age_hours=0.0002"])
    assert run.rc == 0, run.output()[-3000:]
    assert "1 of the 5 filers could not be read: edge-gone." in run.stdout
    data = json.loads((out / "fleet-report.json").read_text())
    assert data["totals"]["unreadable"] == 1 and data["backup_max_age_hours"] == 0.0002
    stockholm = dict((f["name"], f) for f in [o for o in data["offices"] if o["name"] == "Stockholm"][0]["filers"])
    assert stockholm["edge-gone"]["error"] and stockholm["edge-gone"]["backup_health"] == "error"
    assert stockholm[BACKED_UP_FILER]["backup_health"] == "warning"
    assert stockholm[BACKED_UP_FILER]["backup_note"] == "last backup %s, older than 0.0002 hours" % (
        stockholm[BACKED_UP_FILER]["backup"]["last_successful_backup"])
    html = (out / "fleet-report.html").read_text()
    assert 'id="total-unreadable">1<' in html and "could not be read: " in html
    shot = out / "fleet-report.png"
    result = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--window-size=1280,1400", "--screenshot=%s" % shot, (out / "fleet-report.html").as_uri()],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    _w, _h, rows = _png_pixels(str(shot))
    assert sum(1 for row in rows[::2] for p in row[::2] if _near(p, ORANGE)) > 200

    # The collection's own failure: an argument no filer could cause. The run fails, and no report is written.
    broken = tmp_path / "broken"
    failed = run_playbook(os.path.join(PLAYBOOKS, "fleet_report.yml"), inventory=DEMO_INVENTORY, env=env,
                          extra_args=["-i", inventory, "-e", "fleet_report_dir=%s" % broken,
                                      "-e", "edge_validate_certs=maybe"])
    assert failed.rc != 0
    assert "failed in the collection itself" in failed.stdout and "validate_certs" in failed.stdout
    assert not (broken / "fleet-report.json").exists() and not (broken / "fleet-report.html").exists()
    # And a bad age limit is refused by name before any report is written.
    bad_limit = run_playbook(os.path.join(PLAYBOOKS, "fleet_report.yml"), inventory=DEMO_INVENTORY, env=env,
                             extra_args=["-i", inventory, "-e", "fleet_report_dir=%s" % broken,
                                         "-e", "fleet_report_backup_max_age_hours=-1"])
    assert bad_limit.rc != 0 and "fleet_report_backup_max_age_hours" in bad_limit.output()
    assert not (broken / "fleet-report.json").exists()


def test_unchanged_fleet_keeps_the_report(report):
    """A second report of an unchanged fleet rewrites nothing (changed=0), and keeps when it was first seen."""
    sims, _run, out = report
    edge = edge_entry(sims, RUNNING_FILER)
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=edge["ca_path"])  # pylint: disable=protected-access
    parts = urllib.parse.urlsplit(edge["url"])
    client = Edge(parts.hostname, parts.port)
    client.login(edge["username"], edge["password"])
    try:
        client.backup.suspend()  # a running backup's progress changes every second; a suspended one does not
    finally:
        client.logout()
    first = RERUN["report"]()
    assert first.rc == 0 and first.stats["localhost"]["changed"] >= 1  # the backup is no longer running
    generated = json.loads((out / "fleet-report.json").read_text())["generated_at"]
    second = RERUN["report"]()
    assert second.rc == 0 and second.changed() == 0, second.stdout[-3000:]
    assert json.loads((out / "fleet-report.json").read_text())["generated_at"] == generated
    assert "Generated %s" % generated in (out / "fleet-report.html").read_text()
