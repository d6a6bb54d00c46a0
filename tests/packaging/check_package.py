#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make package``: the collection as a user gets it, checked the way Galaxy and the docs tooling check it.

1. ``ansible-galaxy collection build`` into build/package/ (galaxy.yml's build_ignore decides what goes in);
2. every file of the tarball lies under a path a user's install is meant to hold (ALLOWED), and the tarball holds
   every module, plugin and role of the tree and each role's README;
3. ``ansible-galaxy collection install`` of the tarball into a fresh path (build/package/install);
4. galaxy-importer on the tarball (tests/packaging/galaxy-importer.cfg: no ansible-test, so no container engine):
   any ERROR or WARNING line fails; its flake8 check runs here, once over the files it would lint (every plugin
   Python file and each plugin's documentation file) with its own settings, instead of once per file;
5. ``antsibull-docs lint-collection-docs --plugin-docs`` on the installed copy.

Prints the tarball's file count and size, the installed size and the time of each step; exits non-zero on any
failure, naming it.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
IMPORTER_CONFIG = os.path.join(REPO, "tests", "packaging", "galaxy-importer.cfg")
# What a user's install holds (README.md, "What the collection contains"). Everything else must be in build_ignore.
ALLOWED = ("MANIFEST.json", "FILES.json", "README.md", "COPYING", "plugins/", "roles/", "meta/", "docs/",
           "playbooks/", "inventories/", "changelogs/", "tests/simulators/")
# galaxy-importer lines that are progress, not findings.
IMPORTER_FINDING = re.compile(r"^(ERROR|WARNING|CRITICAL)\b")


def run(cmd, env=None, cwd=None):
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=cwd or REPO, capture_output=True, text=True, check=False)
    return proc, time.monotonic() - started


def tool_env(collections_path):
    env = dict(os.environ)
    env.update({"PATH": BIN + os.pathsep + env.get("PATH", ""), "ANSIBLE_COLLECTIONS_PATH": collections_path,
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false", "ANSIBLE_NOCOLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def tree_content():
    """Paths the tarball must hold: every plugin file, every role's README and argument spec."""
    needed = []
    for top in ("plugins", "roles"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, top)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                if name.endswith((".py", ".yml", ".yaml", ".md", ".j2")):
                    needed.append(os.path.relpath(os.path.join(dirpath, name), REPO))
    for role in os.listdir(os.path.join(REPO, "roles")):
        needed.append("roles/%s/README.md" % role)
    return sorted(set(needed))


def check_contents(tarball):
    with tarfile.open(tarball) as archive:
        members = archive.getmembers()
    files = [m for m in members if m.isfile()]
    names = set(m.name for m in files)
    problems = []
    stray = sorted(n for n in names if not n.startswith(ALLOWED) and n not in ALLOWED)
    if stray:
        problems.append("the tarball holds files a user's install should not (add them to build_ignore in galaxy.yml, "
                        "or to ALLOWED in tests/packaging/check_package.py if users need them): %s"
                        % ", ".join(stray[:20]) + (" and %d more" % (len(stray) - 20) if len(stray) > 20 else ""))
    missing = [path for path in tree_content() if path not in names]
    if missing:
        problems.append("the tarball lacks %s" % ", ".join(missing))
    caches = sorted(n for n in names if "__pycache__" in n or n.endswith((".pyc", ".retry"))
                    or any(part.startswith(".") for part in n.split("/")))
    if caches:
        problems.append("the tarball holds caches or hidden files: %s" % ", ".join(caches))
    return len(files), sum(m.size for m in files), problems


def importer_flake8(installed):
    """galaxy-importer's flake8 command (loaders/content.py) over every file it would lint: the plugins' Python files
    and, as it lints whatever file ansible-doc names as a plugin's documentation, any other file in plugins/ (a YAML
    documentation file there is read as Python: E999)."""
    from galaxy_importer import constants  # pylint: disable=import-outside-toplevel
    files = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(installed, "plugins")):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        rel = os.path.relpath(dirpath, installed)
        in_utils = rel.split(os.sep)[1:2] in (["module_utils"], ["doc_fragments"])
        files += [os.path.join(rel, name) for name in filenames
                  if name.endswith(".py") or (not in_utils and name.endswith((".yml", ".yaml")))]
    return [os.path.join(BIN, "flake8"), "--isolated", "--extend-ignore", constants.FLAKE8_IGNORE_ERRORS,
            "--select", constants.FLAKE8_SELECT_ERRORS, "--max-line-length", str(constants.FLAKE8_MAX_LINE_LENGTH),
            "--"] + sorted(files)


def installed_size(path):
    total = 0
    for dirpath, _dirs, filenames in os.walk(path):
        total += sum(os.path.getsize(os.path.join(dirpath, name)) for name in filenames)
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=os.path.join(REPO, "build", "package"))
    parser.add_argument("--json", help="write the measurements to this file")
    args = parser.parse_args()
    started = time.monotonic()
    out = os.path.abspath(args.output)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    failures, timings = [], {}

    proc, timings["build"] = run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force",
                                  "--output-path", out, REPO], env=tool_env(os.path.join(out, "none")))
    tarballs = [name for name in os.listdir(out) if name.endswith(".tar.gz")]
    if proc.returncode != 0 or len(tarballs) != 1:
        print(proc.stdout + proc.stderr)
        sys.exit("make package: ansible-galaxy collection build failed")
    tarball = os.path.join(out, tarballs[0])
    count, unpacked, problems = check_contents(tarball)
    failures += problems

    install_path = os.path.join(out, "install")
    proc, timings["install"] = run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline",
                                    "--force", "-p", install_path, tarball], env=tool_env(install_path))
    installed = os.path.join(install_path, "ansible_collections", "filefleet", "office")
    if proc.returncode != 0 or not os.path.isdir(installed):
        failures.append("ansible-galaxy collection install of the tarball failed:\n%s" % (proc.stdout + proc.stderr))

    env = tool_env(install_path)
    env["GALAXY_IMPORTER_CONFIG"] = IMPORTER_CONFIG
    # A fresh home and temporary directory: ansible-lint (run by galaxy-importer) also looks in
    # ~/.ansible/collections, where an older install of this collection would shadow the one under test, and
    # galaxy-importer points its cache at its temporary directory.
    env["HOME"] = os.path.join(out, "home")
    env["GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP"] = env["ANSIBLE_LOCAL_TEMP"] = os.path.join(out, "tmp")
    os.makedirs(env["HOME"])
    os.makedirs(env["ANSIBLE_LOCAL_TEMP"])
    importer_dir = os.path.join(out, "importer")
    os.makedirs(importer_dir)
    # The three checks run side by side (each is mostly one process waiting for its children).
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        importer = pool.submit(run, [sys.executable, "-m", "galaxy_importer.main", tarball], env, importer_dir)
        flake8 = docs_lint = None
        if os.path.isdir(installed):
            flake8 = pool.submit(run, importer_flake8(installed), tool_env(install_path), installed)
            docs_lint = pool.submit(run, [os.path.join(BIN, "antsibull-docs"), "lint-collection-docs", "--plugin-docs",
                                          installed], tool_env(install_path), out)
        proc, timings["galaxy-importer"] = importer.result()
        lines = (proc.stdout + proc.stderr).splitlines()
        findings = [line for line in lines if IMPORTER_FINDING.match(line)]
        with open(os.path.join(out, "galaxy-importer.log"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        if proc.returncode != 0 or findings:
            failures.append("galaxy-importer (exit %d) found:\n  %s" % (proc.returncode, "\n  ".join(findings or lines[-20:])))
        if flake8 is not None:
            proc, timings["galaxy-importer flake8"] = flake8.result()
            if proc.returncode != 0 or proc.stdout.strip():
                failures.append("galaxy-importer's flake8 check found:\n%s" % (proc.stdout + proc.stderr))
            proc, timings["antsibull-docs lint"] = docs_lint.result()
            if proc.returncode != 0:
                failures.append("antsibull-docs lint-collection-docs --plugin-docs found:\n%s" % (proc.stdout + proc.stderr))

    measured = {"tarball": os.path.relpath(tarball, REPO), "files": count, "tarball_bytes": os.path.getsize(tarball),
                "unpacked_bytes": unpacked, "installed_bytes": installed_size(installed) if os.path.isdir(installed) else None,
                "seconds": dict((k, round(v, 1)) for k, v in timings.items())}
    print("make package: %(tarball)s, %(files)d files, %(tarball_bytes)d bytes (%(unpacked_bytes)d unpacked, "
          "%(installed_bytes)s installed)" % measured)
    measured["seconds"]["total"] = round(time.monotonic() - started, 1)
    print("make package: seconds per step (the last three side by side): %s"
          % ", ".join("%s %.1f" % kv for kv in measured["seconds"].items()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(measured, handle, indent=2)
    if failures:
        for failure in failures:
            print("FAILED: " + failure, file=sys.stderr)
        sys.exit(1)
    print("make package: the tarball builds, installs, passes galaxy-importer and antsibull-docs lint")


if __name__ == "__main__":
    main()
