# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Re-run survivors of the last `make mutation` against given test files (to check that new tests kill them).

Usage: recheck.py [--record] TEST_FILE [TEST_FILE ...] -- MUTANT [MUTANT ...]
MUTANT is a name as report.py prints it (e.g. ``_engine.x_normalise__mutmut_8``) or ``survivors:FILE.py``
for every survivor of that file.  The test files are copied from tests/unit/ into the mutated tree of
build/mutation/mutants/ (or $MUTATION_STAGE/mutants/) and run once per mutant with MUTANT_UNDER_TEST set, the way mutmut runs them.
With ``--record`` each result replaces the mutant's in the stage's results (report.py and all.py then count it): use
it only with the stage's own plan tests plus the new ones, so the stage still says what those tests kill.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
COLL = os.path.join("ansible_collections", "filefleet", "office")
MUTANTS = os.path.join(os.path.abspath(os.environ.get("MUTATION_STAGE", os.path.join(REPO, "build", "mutation"))),
                       "mutants")
PREFIX = COLL.replace(os.sep, ".") + ".plugins.module_utils."


def meta_path(name):
    return os.path.join(MUTANTS, COLL, "plugins", "module_utils", name + ".meta")


def survivors(name):
    with open(meta_path(name)) as f:
        codes = json.load(f)["exit_code_by_key"]
    return sorted(k for k, code in codes.items() if code in (0, 5, 33))


def record(mutant, rc):
    name = mutant[len(PREFIX):].split(".", 1)[0] + ".py"
    with open(meta_path(name)) as f:
        meta = json.load(f)
    meta["exit_code_by_key"][mutant] = 1 if rc == 1 else rc
    with open(meta_path(name), "w") as f:
        json.dump(meta, f)


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    tests, names = argv[1:split], argv[split + 1:]
    keep = "--record" in tests
    tests = [t for t in tests if t != "--record"]
    mutants = []
    for name in names:
        if name.startswith("survivors:"):
            mutants += survivors(name[len("survivors:"):])
        else:
            mutants.append(name if name.startswith(PREFIX) else PREFIX + name)
    targets = []
    for test in tests:
        rel = os.path.relpath(os.path.abspath(test), REPO)
        shutil.copy2(os.path.join(REPO, rel), os.path.join(MUTANTS, COLL, rel))
        targets.append(os.path.join(COLL, rel))
    alive = 0
    for mutant in mutants:
        env = dict(os.environ, MUTANT_UNDER_TEST=mutant, PYTHONDONTWRITEBYTECODE="1")
        rc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                             "--rootdir=."] + targets, cwd=MUTANTS, env=env, capture_output=True, check=False).returncode
        status = "killed" if rc == 1 else ("SURVIVED" if rc == 0 else "exit %d" % rc)
        alive += rc == 0
        if keep:
            record(mutant, rc)
        print("%-9s %s" % (status, mutant[len(PREFIX):]))
    print("%d of %d still survive" % (alive, len(mutants)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
