#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make docs``: the collection's documentation site, built offline with antsibull-docs and Sphinx into
build/docs/html (open build/docs/html/index.html).

The site is made the way ``antsibull-docs sphinx-init`` sets one up (its conf.py, its build.sh steps), from the
collection's own documentation (modules, plugins, roles, README, changelog), with Sphinx's warnings as errors. One
thing needs the network and is switched off: intersphinx (links into docs.ansible.com and docs.python.org), so
references to ansible-core's own content are not resolved into links (SKIPPED_WARNINGS says which warnings that
leaves, and only those are let through).
"""

import os
import re
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
OUT = os.path.join(REPO, "build", "docs")
SOURCE = os.path.join(OUT, "src")
HTML = os.path.join(OUT, "html")
# Without intersphinx, references into ansible-core's documentation (its labels such as common_return_values, its
# ansible.builtin plugins, its ANSIBLE_* configuration variables) cannot be resolved; only those warnings are let
# through. A reference into this collection (ansible_collections.filefleet.office.*) must always resolve.
SKIPPED_WARNINGS = re.compile(r"undefined label: '(?!ansible_collections\.filefleet\.office\.)[^']*' \[ref\.ref\]$|"
                              r"'envvar' reference target not found: ANSIBLE_[A-Z0-9_]+ \[ref\.envvar\]$")


def env():
    environ = dict(os.environ)
    environ.update({"PATH": BIN + os.pathsep + environ.get("PATH", ""), "ANSIBLE_NOCOLOR": "1",
                    "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH",
                                                               os.path.join(REPO, "build", "collections")),
                    "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false", "PYTHONDONTWRITEBYTECODE": "1"})
    return environ


def run(cmd, cwd=OUT):
    proc = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit("make docs: %s failed" % " ".join(cmd[:3]))
    return proc


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(SOURCE, mode=0o700)  # antsibull-docs writes only into a directory only its owner can write to
    os.chmod(SOURCE, 0o700)
    run([os.path.join(BIN, "antsibull-docs"), "sphinx-init", "--use-current", "--squash-hierarchy", "--fail-on-error",
         "--no-add-antsibull-docs-version", "--dest-dir", SOURCE, "--project", "filefleet.office",
         "--copyright", "filefleet.office contributors", "--title", "filefleet.office",
         "--html-short-title", "filefleet.office", "filefleet.office"])
    conf = os.path.join(SOURCE, "conf.py")
    with open(conf, encoding="utf-8") as handle:
        text = handle.read()
    # Offline: no intersphinx (it downloads inventories from docs.ansible.com and docs.python.org).
    text = text.replace("'sphinx.ext.intersphinx', ", "")
    text = re.sub(r"intersphinx_mapping = \{.*?\n\}\n", "intersphinx_mapping = {}\n", text, flags=re.S)
    assert "sphinx.ext.intersphinx" not in text and "https://docs" not in text, "conf.py layout changed"
    with open(conf, "w", encoding="utf-8") as handle:
        handle.write(text)
    rst = os.path.join(SOURCE, "rst")
    os.chmod(rst, 0o700)
    run([os.path.join(BIN, "antsibull-docs"), "--config-file", os.path.join(SOURCE, "antsibull-docs.cfg"),
         "collection", "--cleanup", "everything", "--fail-on-error", "--use-current", "--squash-hierarchy",
         "--dest-dir", rst, "filefleet.office"], cwd=SOURCE)
    proc = subprocess.run([os.path.join(BIN, "sphinx-build"), "-b", "html", "-c", SOURCE, "-q", "--keep-going",
                           "-j", "2", rst, HTML], cwd=SOURCE, env=env(), capture_output=True, text=True, check=False)
    warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    real = [line for line in warnings if not SKIPPED_WARNINGS.search(line)]
    if proc.returncode != 0 or real:
        sys.stderr.write("\n".join(real or proc.stderr.splitlines()[-30:]) + "\n")
        sys.exit("make docs: sphinx-build reported %d warnings or errors" % len(real))
    pages = sum(1 for _d, _s, files in os.walk(HTML) for name in files if name.endswith(".html"))
    print("make docs: %d pages in %s (open index.html); %d warnings about ansible-core's own docs left unlinked offline"
          % (pages, os.path.relpath(HTML, REPO), len(warnings)))


if __name__ == "__main__":
    main()
