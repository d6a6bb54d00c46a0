# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A quicker mutation run: mutmut 3 makes the mutants, this script runs chosen unit test files against each.

Usage: quick.py FILE.py [--only GLOB[,GLOB]] -- TEST_FILE [TEST_FILE ...]

``make mutation`` (run.py) lets mutmut run, for every mutant, every unit test that reaches the mutated function;
on a loaded machine that is hours for the big files. This script stages the work tree like run.py (in
$MUTATION_STAGE, default build/mutation-quick), has mutmut generate the mutants of FILE (no test run), then runs
pytest *in this process* once per mutant with only the given test files (mutmut's trampoline picks the mutant
named by MUTANT_UNDER_TEST at each call, so nothing is re-imported). A mutant is killed when a test fails or
runs over --timeout seconds (SIGALRM, counted like mutmut's timeouts); results go to mutants/<path>.meta in
mutmut's format, so report.py reads them. Because only the given tests run, a mutant that survives here may
still be killed by other unit tests: the rate is a lower bound of mutmut's.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import run as staging  # noqa: E402  pylint: disable=wrong-import-position

COLL = staging.COLL
PREFIX = COLL.replace(os.sep, ".") + ".plugins.module_utils."


class MutantTimeout(Exception):
    pass


def generate(stage, name):
    """mutmut's own mutant generation (the first step of `mutmut run`), without its test runs."""
    code = ("import os\n"
            "from mutmut.__main__ import (copy_src_dir, copy_also_copy_files, setup_source_paths, "
            "store_lines_covered_by_tests, create_mutants)\n"
            "from mutmut.mutation.trampoline import set_mutant_under_test\n"
            "set_mutant_under_test('mutant_generation')\n"
            "os.makedirs('mutants', exist_ok=True)\n"
            "copy_src_dir(); copy_also_copy_files(); setup_source_paths(); store_lines_covered_by_tests()\n"
            "create_mutants(2)\n")
    subprocess.run([sys.executable, "-c", code], cwd=stage, check=True)
    meta = os.path.join(stage, "mutants", COLL, "plugins", "module_utils", name + ".meta")
    with open(meta) as f:
        return meta, json.load(f)


def main(argv):
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--only", default="*")
    parser.add_argument("--timeout", type=int, default=60)
    args = parser.parse_args(argv[1:split])
    tests = argv[split + 1:]
    if not tests:
        sys.exit(__doc__)
    stage = os.path.abspath(os.environ.get("MUTATION_STAGE", os.path.join(REPO, "build", "mutation-quick")))
    os.environ["MUTATION_STAGE"] = stage
    staging.STAGE = stage
    staging.stage([args.file], fresh=True)
    meta_path, meta = generate(stage, args.file)
    codes = meta["exit_code_by_key"]
    module = PREFIX + args.file[:-len(".py")] + "."
    globs = [module + g for g in args.only.split(",")]
    chosen = sorted(k for k in codes if any(fnmatch.fnmatch(k, g) for g in globs))
    mutants = os.path.join(stage, "mutants")
    os.chdir(mutants)
    sys.path.insert(0, mutants)
    targets = [os.path.join(COLL, os.path.relpath(os.path.abspath(os.path.join(REPO, t)), REPO)) for t in tests]
    import pytest  # pylint: disable=import-outside-toplevel

    def alarm(_signum, _frame):
        raise MutantTimeout("mutant ran over %d s" % args.timeout)
    signal.signal(signal.SIGALRM, alarm)
    pytest_args = ["-q", "-x", "-p", "no:cacheprovider", "--rootdir=.", "-o", "addopts=", "--no-header", "-p",
                   "no:randomly"] + targets
    os.environ["MUTANT_UNDER_TEST"] = ""
    if pytest.main(pytest_args) != 0:
        sys.exit("quick: the tests fail without a mutant")
    start = time.time()
    devnull = open(os.devnull, "w")  # pylint: disable=consider-using-with
    for index, key in enumerate(chosen):
        os.environ["MUTANT_UNDER_TEST"] = key
        signal.alarm(args.timeout)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = devnull
        try:
            rc = int(pytest.main(pytest_args))
        except MutantTimeout:
            rc = 24  # mutmut's code for a timeout
        finally:
            signal.alarm(0)
            sys.stdout, sys.stderr = saved
        codes[key] = 1 if rc == 1 else rc
        if index % 25 == 0 or index == len(chosen) - 1:
            with open(meta_path, "w") as f:
                json.dump(meta, f)
            print("quick: %d/%d mutants, %.0f s" % (index + 1, len(chosen), time.time() - start), flush=True)
    os.environ["MUTANT_UNDER_TEST"] = ""
    return subprocess.run([sys.executable, os.path.join(HERE, "report.py"), stage, args.file], check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
