# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""README, "AWX ... execution environments": an execution environment from a local tarball. The example files are
taken from the README as written, the build context is made by ansible-builder itself (no container engine), and
the collection install step runs as the builder's galaxy stage runs it (in /build, that is the context's _build)."""

import os
import re
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
EXAMPLE_TARBALL = "filefleet-office-0.1.0.tar.gz"

pytestmark = pytest.mark.one_mode("builds and installs the collection; runs no module")


def readme_block(first_line):
    """The fenced YAML block of README.md whose first line is ``first_line`` (maybe followed by a colon and more)."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        blocks = re.findall(r"```yaml\n(.*?)```", handle.read(), flags=re.S)
    found = [block for block in blocks if block.split("\n", 1)[0].split(":")[0] == first_line]
    assert len(found) == 1, "README.md has no single yaml block starting with %r" % first_line
    return found[0]


def run(cmd, cwd, **env):
    full_env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), ANSIBLE_NOCOLOR="1",
                    ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", **env)
    proc = subprocess.run(cmd, cwd=str(cwd), env=full_env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, (cmd, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


def test_execution_environment_from_a_local_tarball(tmp_path):
    built = tmp_path / "dist"
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(built), REPO], REPO)
    (tarball,) = list(built.iterdir())
    ee_dir = tmp_path / "ee"
    ee_dir.mkdir()
    os.link(str(tarball), str(ee_dir / tarball.name))
    for name in ("execution-environment.yml", "requirements.yml"):
        text = readme_block("# " + name).replace(EXAMPLE_TARBALL, tarball.name)
        (ee_dir / name).write_text(text)
    definition = yaml.safe_load((ee_dir / "execution-environment.yml").read_text())
    assert definition["version"] == 3 and definition["dependencies"]["galaxy"] == "requirements.yml"

    run([os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context"], ee_dir)
    build = ee_dir / "context" / "_build"
    assert (build / "collections" / tarball.name).is_file()
    # Containerfile for podman, Dockerfile when ansible-builder picks docker
    (containerfile,) = [(ee_dir / "context" / n).read_text() for n in ("Containerfile", "Dockerfile") if (ee_dir / "context" / n).exists()]
    assert "COPY _build /build" in containerfile and "WORKDIR /build" in containerfile
    install = [line for line in containerfile.splitlines() if "ansible-galaxy collection install" in line]
    assert install and "-r requirements.yml" in install[0], install

    # The galaxy stage, in /build: ansible-galaxy role install, then collection install, -r requirements.yml.
    collections = tmp_path / "ee-collections"
    run([os.path.join(BIN, "ansible-galaxy"), "role", "install", "-r", "requirements.yml", "--roles-path",
         str(tmp_path / "ee-roles")], build, HOME=str(tmp_path))
    # A fresh home and collections path, as in the builder image: an install elsewhere on this machine (e.g. in
    # ~/.ansible/collections) would make ansible-galaxy answer "already installed" and install nothing.
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "-r", "requirements.yml",
         "--collections-path", str(collections)], build, HOME=str(tmp_path), ANSIBLE_COLLECTIONS_PATH=str(collections))
    installed = collections / "ansible_collections" / "filefleet" / "office"
    version = yaml.safe_load(open(os.path.join(REPO, "galaxy.yml"), encoding="utf-8"))["version"]
    assert '"version": "%s"' % version in (installed / "MANIFEST.json").read_text()
    assert sorted(os.listdir(str(installed / "plugins" / "modules"))) == sorted(
        name for name in os.listdir(os.path.join(REPO, "plugins", "modules")) if name.endswith(".py"))
    # What the builder then adds for the installed collection: its Python requirements.
    introspect = run([os.path.join(BIN, "ansible-builder"), "introspect", str(collections)], tmp_path)
    assert "requests" in introspect.stdout and "defusedxml" in introspect.stdout
