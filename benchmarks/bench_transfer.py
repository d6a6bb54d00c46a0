# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Direct transfer: a large encrypted, snappy-compressed file downloaded from the Portal simulator over loopback by
our client (module_utils/_transfer.py, Direct IO) and by cterasdk's Direct IO client in the same run, the ratio, and
the peak memory (VmHWM) of each, every measurement in a subprocess of its own; then the upload of the same file and
of a tree of 2,000 small files (MB/s, files/s, peak memory).

    python benchmarks/bench_transfer.py [--size-mib 256] [--gib] [--files 2000] [--workers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

BLOCK = 4 * 1024 * 1024


def peak_rss_mib():
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def _collections():
    import integration_support  # pylint: disable=import-outside-toplevel
    integration_support._ensure_collection_link()  # pylint: disable=protected-access
    sys.path.insert(0, integration_support.COLLECTIONS)


def _session(cfg):
    _collections()
    from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession
    from ansible_collections.filefleet.office.plugins.module_utils._transfer import CloudFiles
    session = PortalSession(cfg["url"] + "/ServicesPortal", "bench", "Bench1!pw", ca_path=cfg["ca"]).login()
    return CloudFiles(session, cfg["key_id"], cfg["secret"], workers=cfg["workers"], files_in_flight=4)


def worker(cfg):
    """One measurement (``cfg["mode"]``), printed as a JSON line."""
    started = time.time()
    if cfg["mode"] == "ours_download":
        files = _session(cfg)
        info = files.stat(cfg["remote"])
        size = files.download(info, cfg["remote"], cfg["dest"])[0]
    elif cfg["mode"] == "sdk_download":
        import aiohttp.connector
        from cterasdk.direct.client import DirectIO
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=cfg["ca"])  # pylint: disable=W0212

        async def run():
            size = 0
            async with DirectIO(cfg["url"], cfg["key_id"], cfg["secret"]) as client:
                streamer = await client.streamer(cfg["file_id"])
                with open(cfg["dest"], "wb") as out:
                    async for piece in streamer.start():
                        out.write(piece.data)
                        size += len(piece.data)
            return size
        size = asyncio.run(run())
    elif cfg["mode"] == "ours_upload":
        files = _session(cfg)
        uid = files.stat(cfg["folder"])["cloudFolderInfo"]["uid"]
        size, digest = files.upload(cfg["src"], cfg["remote"], uid), None
    elif cfg["mode"] == "ours_tree":
        files = _session(cfg)
        uid = files.stat(cfg["folder"])["cloudFolderInfo"]["uid"]
        files.mkdir(cfg["remote"])
        jobs = [(os.path.join(cfg["src"], n), cfg["remote"] + "/" + n) for n in sorted(os.listdir(cfg["src"]))]
        size, digest = files.upload_many(jobs, uid), len(jobs)
    seconds = time.time() - started
    if cfg["mode"].endswith("_download"):
        # Checked after the clock stopped, the same way for both clients: the bytes on disk, read back.
        digest = hashlib.sha256()
        with open(cfg["dest"], "rb") as handle:
            for piece in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(piece)
        digest = digest.hexdigest()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "bytes": size, "digest": digest, "peak_rss_mib": peak_rss_mib(),
                      "cpu_seconds": cpu.ru_utime + cpu.ru_stime}))


def measure(cfg):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", json.dumps(cfg)],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit("%s failed: %s" % (cfg["mode"], out.stderr[-3000:]))
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_file(path, size):
    """Half random, half repetitive text (so snappy has work and the blocks shrink), written piece by piece."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        written = 0
        while written < size:
            piece = (os.urandom(512 * 1024) + b"filefleet office policy " * 21846)[:min(1024 * 1024, size - written)]
            out.write(piece)
            digest.update(piece)
            written += len(piece)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--gib", action="store_true", help="1 GiB instead of --size-mib")
    parser.add_argument("--files", type=int, default=2000, help="small files in the tree upload (0: skip it)")
    parser.add_argument("--workers", type=int, default=6)
    args = parser.parse_args()
    if args.worker:
        return worker(json.loads(args.worker))
    size = 1024 * 1024 * 1024 if args.gib else args.size_mib * 1024 * 1024

    from simulators.harness import Simulators

    work = tempfile.mkdtemp(prefix="bench-transfer-")
    with Simulators(os.path.join(work, "sim"), portal=True) as sims:
        portal = sims.info["portal"]
        sims.sim_call(portal, "/_sim/files", "POST", {"block_size": BLOCK, "compression": "snappy", "encrypted": True})
        key, _uid = sims.seed_drive_owner("bench", "Bench User", "Bench1!pw", "Bench")
        cfg = {"url": portal["url"], "ca": portal["ca_path"], "key_id": key.accessKey, "secret": key.secretKey,
               "workers": args.workers, "folder": "Bench"}

        src = os.path.join(work, "big.bin")
        source_digest = make_file(src, size)
        mib = size / 1048576.0
        print("file: %.0f MiB, blocks of %d MiB, snappy + AES-256-CBC, loopback TLS" % (mib, BLOCK // 1048576))

        up = measure(dict(cfg, mode="ours_upload", src=src, remote="Bench/big.bin"))
        print("upload (ours, streamed multipart): %.1f MB/s, %.1f s, peak RSS %.0f MiB"
              % (size / up["seconds"] / 1e6, up["seconds"], up["peak_rss_mib"]))
        state = sims.state(portal)["tenants"]["acme"]
        uid = next(u for u, d in state["cloud_drives"].items() if d["name"] == "Bench")
        entry = state["cloud_files"][uid]["big.bin"]
        assert entry["sha256"] == source_digest

        rounds = []
        for _round in range(2):
            for mode in ("sdk_download", "ours_download"):
                dest = os.path.join(work, mode + ".bin")
                got = measure(dict(cfg, mode=mode, remote="Bench/big.bin", file_id=entry["id"], dest=dest))
                if got["digest"] != source_digest:
                    raise SystemExit("%s: wrong bytes" % mode)
                os.unlink(dest)
                rounds.append((mode, got))
        for mode in ("sdk_download", "ours_download"):
            best = min((g for m, g in rounds if m == mode), key=lambda g: g["seconds"])
            print("download %-5s (Direct IO): %.1f MB/s (best of 2), peak RSS %.0f MiB, client CPU %.1f s"
                  % ("ours" if mode.startswith("ours") else "SDK", size / best["seconds"] / 1e6, best["peak_rss_mib"],
                     best["cpu_seconds"]))
        ours = min(g["seconds"] for m, g in rounds if m == "ours_download")
        sdk = min(g["seconds"] for m, g in rounds if m == "sdk_download")
        print("ratio ours/SDK (throughput): %.2fx (target >= 1.5x)" % (sdk / ours))

        if not args.files:
            return 0
        tree = os.path.join(work, "tree")
        os.makedirs(tree)
        total = 0
        for index in range(args.files):
            data = ("file %d of the office template\n" % index).encode() * (1 + index % 40)
            with open(os.path.join(tree, "f%05d.txt" % index), "wb") as out:
                out.write(data)
            total += len(data)
        got = measure(dict(cfg, mode="ours_tree", src=tree, remote="Bench/tree"))
        print("tree upload (ours, 4 files in flight): %d files, %.0f files/s, %.2f MB/s, peak RSS %.0f MiB"
              % (args.files, args.files / got["seconds"], total / got["seconds"] / 1e6, got["peak_rss_mib"]))
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
