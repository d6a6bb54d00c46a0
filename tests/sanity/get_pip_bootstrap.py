# -*- coding: utf-8 -*-
# Copyright (c) 2025 filefleet.office developers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip.py script that ``ansible-test --venv`` downloads.

ansible-test creates its virtual environments with ``--without-pip`` and then bootstraps pip by running
``~/.ansible/test/cache/get_pip_<version>.py`` (downloaded from ci-files.testing.ansible.com, which is
not reachable from our CI). run_sanity.py copies this file to that path. It is run inside the new
virtual environment as::

    python get_pip_24_2.py --disable-pip-version-check pip==24.2 [--no-setuptools] [--no-wheel]

and does what get-pip.py does with those arguments: puts pip into the environment (from the
interpreter's bundled ``ensurepip`` wheel), then installs the requested packages from the package index,
and leaves setuptools/wheel out when asked to.
"""

from __future__ import annotations

import subprocess
import sys


def installed(name: str) -> bool:
    """Return True if a distribution called name is installed in this interpreter."""
    from importlib import metadata  # pylint: disable=import-outside-toplevel

    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def main(argv: list[str]) -> int:
    """Bootstrap pip and install the packages named in argv."""
    without = {arg[len('--no-'):] for arg in argv if arg in ('--no-setuptools', '--no-wheel')}
    pip_args = [arg for arg in argv if arg not in ('--no-setuptools', '--no-wheel')]
    present_before = {name for name in ('setuptools', 'wheel') if installed(name)}

    # ensurepip installs the pip (and on Python < 3.12 the setuptools) wheel bundled with the interpreter, offline.
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    # Now the pip version asked for (and any other requested package) from the package index.
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + pip_args)

    # get-pip.py --no-setuptools / --no-wheel means "do not install them": remove what ensurepip brought in.
    unwanted = sorted(name for name in without if name not in present_before and installed(name))
    if unwanted:
        subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--disable-pip-version-check'] + unwanted)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
