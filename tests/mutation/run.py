# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mutation testing of plugins/module_utils/ with mutmut 3 and the unit tests (``make mutation``).

mutmut names a mutant after the dotted path of its file and only activates it when the
function's ``__module__`` has that name.  The unit tests import the collection as
``ansible_collections.filefleet.office``, so the run happens in a staging directory,
build/mutation/, that holds a *copy* of the work tree at
``ansible_collections/filefleet/office/``: the file paths then spell the module names the
tests import.  mutmut copies that tree to build/mutation/mutants/, and the copied
tests/unit/conftest.py links ``build/collections/ansible_collections/filefleet/office`` to
the mutated copy (it links relative to its own location), so the tests import the mutants,
never the original tree.  The script checks that after the run: it runs one
unit test file against the mutated copy with ``MUTANT_UNDER_TEST=fail`` (every mutated
function raises) and fails unless that test file fails (mutmut makes the same check first).

Usage: run.py [--fresh] [--only GLOB] [FILE ...]   FILE: names in plugins/module_utils/ (default: all, FIRST first).
Environment: MUTATION_CHILDREN (default: 2) is passed to ``mutmut run --max-children``; MUTATION_STAGE
(default: build/mutation) is the staging directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
STAGE = os.path.abspath(os.environ.get("MUTATION_STAGE", os.path.join(REPO, "build", "mutation")))
COLL = os.path.join("ansible_collections", "filefleet", "office")
MODULE_UTILS = os.path.join(REPO, "plugins", "module_utils")
# Measured first: the engine (check mode, idempotency, comparison), HTTP (TLS, redaction, paging), XML, common.
FIRST = ["_engine.py", "_http.py", "_ctera_xml.py", "_common.py"]
POLL_SLOW = 'kwargs={"poll_interval": 0.5}'
POLL_FAST = 'kwargs={"poll_interval": 0.01}'


def work_tree_files():
    """Tracked and untracked, not ignored, files of the work tree (the collection as it is now)."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True,
    ).stdout.decode()
    return [p for p in out.split("\0") if p and os.path.isfile(os.path.join(REPO, p))]


def stage(files, fresh):
    if fresh and os.path.isdir(STAGE):
        shutil.rmtree(STAGE)
    target = os.path.join(STAGE, COLL)
    if os.path.isdir(target):
        shutil.rmtree(target)
    for rel in work_tree_files():
        dst = os.path.join(target, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(os.path.join(REPO, rel), dst)
    # Only in the staged copy: the simulators' serve_forever polls for shutdown every 0.5 s, so each
    # unit test that stops a simulator waits up to 0.5 s; mutmut runs such tests thousands of times.
    base = os.path.join(target, "tests", "simulators", "_base.py")
    with open(base) as f:
        text = f.read()
    if POLL_SLOW not in text:
        sys.exit("mutation: %s no longer holds %r; update run.py" % (base, POLL_SLOW))
    with open(base, "w") as f:
        f.write(text.replace(POLL_SLOW, POLL_FAST))
    sources = "\n".join(
        "    " + os.path.join(COLL, "plugins", "module_utils", name) for name in files)
    with open(os.path.join(STAGE, "setup.cfg"), "w") as f:
        f.write(
            "[mutmut]\n"
            "source_paths =\n" + sources + "\n"
            "also_copy =\n    ansible_collections/\n"
            "pytest_add_cli_args_test_selection =\n    " + os.path.join(COLL, "tests", "unit") + "\n"
            "pytest_add_cli_args =\n    -p\n    no:cacheprovider\n"
        )


def check_mutants_are_imported():
    """A mutant that breaks every mutated function must be killed: proves the tests import mutants/."""
    env = dict(os.environ, MUTANT_UNDER_TEST="fail")
    rc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--rootdir=.",
         os.path.join(COLL, "tests", "unit")],
        cwd=os.path.join(STAGE, "mutants"), env=env, capture_output=True, check=False,
    ).returncode
    if rc != 1:
        sys.exit("mutation: the unit tests did not fail with every mutant forced to fail (exit %d): "
                 "they do not import the mutated copy" % rc)
    print("mutation: check passed: the unit tests fail when every mutated function raises")


def run_mutmut(mutmut, children, patterns, log):
    """One `mutmut run` for the mutants matching any of patterns; its progress goes to log, its summary to stdout."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([mutmut, "run", "--max-children", children] + patterns,
                          cwd=STAGE, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    out = proc.stdout.decode("utf-8", "replace")
    log.write(out)
    last = [line for line in out.replace("\r", "\n").splitlines() if line.strip()][-3:]
    if proc.returncode != 0:
        sys.exit("mutation: mutmut run failed (exit %d); see %s\n%s"
                 % (proc.returncode, log.name, "\n".join(last)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true", help="drop earlier results (build/mutation/)")
    parser.add_argument("--only", default="*", help="mutmut globs (comma-separated) of the functions to mutate in "
                        "each file, e.g. 'x*ǁlist__mutmut_*,x_pick__*' (default: all)")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    files = args.files or FIRST + sorted(
        n for n in os.listdir(MODULE_UTILS) if n.endswith(".py") and n not in FIRST + ["__init__.py"])
    for name in files:
        if not os.path.isfile(os.path.join(MODULE_UTILS, name)):
            sys.exit("mutation: no such file plugins/module_utils/%s" % name)
    mutmut = os.path.join(os.path.dirname(sys.executable), "mutmut")
    children = os.environ.get("MUTATION_CHILDREN", "2")
    stage(files, args.fresh)
    start = time.time()
    prefix = ".".join([COLL.replace(os.sep, "."), "plugins", "module_utils"])
    # One `mutmut run` per file, in the order given, so an interrupted run leaves whole files
    # measured; mutmut keeps the test-to-function map of the first run (mutants/mutmut-stats.json).
    with open(os.path.join(STAGE, "mutmut.log"), "w") as log:
        for name in files:
            t0 = time.time()
            run_mutmut(mutmut, children, ["%s.%s.%s" % (prefix, name[:-len(".py")], only)
                                          for only in args.only.split(",")], log)
            print("mutation: %s done in %.0f s" % (name, time.time() - t0), flush=True)
    elapsed = time.time() - start
    # mutmut makes the same check before mutating; this repeats it outside mutmut, on the mutants/ it used.
    check_mutants_are_imported()
    rc = subprocess.run(
        [sys.executable, os.path.join(HERE, "report.py"), STAGE] + files, check=False).returncode
    print("mutation: mutmut took %.0f s in all" % elapsed)
    return rc


if __name__ == "__main__":
    sys.exit(main())
