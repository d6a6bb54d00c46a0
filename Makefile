# filefleet.office: the two commands are `make demo` and `make test`.
# Both create .venv from the pinned development requirements on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
COLL_ROOT := build/collections
COLL_LINK := $(COLL_ROOT)/ansible_collections/filefleet/office
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLL_ROOT)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export PYTHONDONTWRITEBYTECODE := 1
# pytest-xdist workers for `make test` (one test file per worker at a time: module fixtures stay per file).
PYTEST_WORKERS ?= 2

.PHONY: demo test venv collection unit integration conformance sanity lint molecule runner benchmarks clean
.PHONY: core-venvs core-versions
.PHONY: mutation mutation-mutmut
.PHONY: package docs

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# The oldest and the newest ansible-core the collection supports (meta/runtime.yml: requires_ansible >=2.16),
# each in a venv of its own for tests/integration/test_core_versions.py: 2.16 on Python 3.11, 2.21 on
# Python 3.12 (ansible-core 2.20+ needs 3.12; pyenv's, unless PYTHON_CORE221 names another).
VENV_CORE216 := .venv-core216
VENV_CORE221 := .venv-core221
PYTHON_CORE216 ?= python3.11
PYTHON_CORE221 ?= $(firstword $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.12*/bin/python3.12) \
	$(shell command -v python3.12 2>/dev/null))

core-venvs: $(VENV_CORE216)/.installed $(VENV_CORE221)/.installed

$(VENV_CORE216)/.installed: tests/core-versions/requirements-core216.txt
	$(PYTHON_CORE216) -m venv $(VENV_CORE216)
	$(VENV_CORE216)/bin/python -m pip install -q -r $<
	touch $@

$(VENV_CORE221)/.installed: tests/core-versions/requirements-core221.txt
	@test -n "$(PYTHON_CORE221)" || { echo "no Python 3.12 found for ansible-core 2.21: set PYTHON_CORE221" >&2; exit 1; }
	$(PYTHON_CORE221) -m venv $(VENV_CORE221)
	$(VENV_CORE221)/bin/python -m pip install -q -r $<
	touch $@

core-versions: venv collection core-venvs
	FILEFLEET_REQUIRE_CORE_VERSIONS=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration/test_core_versions.py

# ansible-playbook finds the collection through a link named like its FQCN.
collection: $(COLL_LINK)

$(COLL_LINK):
	mkdir -p $(dir $(COLL_LINK))
	ln -sfn $(CURDIR) $(COLL_LINK)

demo: venv collection
	$(BIN)/python playbooks/demo.py

test: venv collection core-venvs
	mkdir -p build
	FILEFLEET_REQUIRE_CORE_VERSIONS=1 $(BIN)/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile \
		--junitxml=build/pytest.xml tests/unit tests/conformance tests/integration
	$(BIN)/python tests/reliability_report.py
	$(MAKE) molecule
	$(MAKE) sanity lint
	$(MAKE) package
	@echo "make test: pytest, molecule, ansible-test sanity, ansible-lint and the package checks all passed"
	@$(BIN)/python tests/summary.py build/pytest.xml

# molecule/default: delegated driver, the simulators are the instances (create/destroy start and stop them).
molecule: venv collection
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/molecule test

unit: venv collection
	$(BIN)/python -m pytest -q tests/unit

integration: venv collection
	$(BIN)/python -m pytest -q tests/integration

conformance: venv collection
	$(BIN)/python -m pytest -q tests/conformance

# ansible-test sanity over a copy at build/sanity/ansible_collections/filefleet/office; e.g. SANITY_ARGS='--test pylint'.
sanity: venv
	$(BIN)/python tests/sanity/run_sanity.py $(SANITY_ARGS)

# Settings and excluded paths are in .ansible-lint; the collection is found through $(COLL_LINK).
# ANSIBLE_HOME under build/: a collection installed in ~/.ansible/collections (an older filefleet.office) must not
# shadow the tree under test.
lint: venv collection
	PATH="$(CURDIR)/$(BIN):$$PATH" ANSIBLE_HOME="$(CURDIR)/build/ansible-home" $(BIN)/ansible-lint --profile production --offline
	$(BIN)/antsibull-changelog lint

benchmarks: venv collection
	$(BIN)/python benchmarks/run_all.py

# Mutation testing (mutmut, pinned in tests/mutation/requirements.txt) of plugins/module_utils/: each file's mutants
# against the unit tests that cover it (tests/mutation/plan.py), two files at a time, in build/mutation/; prints
# the kill rate and the survivors (tests/mutation/all.py). Not part of `make test` (about an hour on 2 cores).
# E.g. MUTATION_FILES='_engine.py _http.py'. Results and survivors are recorded in docs/mutation.md.
# `make mutation-mutmut` lets mutmut itself pick and run every unit test that reaches each mutant (hours).
mutation: venv collection
	$(BIN)/python -m pip install -q -r tests/mutation/requirements.txt
	$(BIN)/python tests/mutation/all.py $(MUTATION_FILES)

mutation-mutmut: venv collection
	$(BIN)/python -m pip install -q -r tests/mutation/requirements.txt
	$(BIN)/python tests/mutation/run.py --fresh $(MUTATION_FILES)

# The collection as users get it: build the tarball into build/package/, install it into a fresh path, run
# galaxy-importer on it (no ansible-test, so no container engine) and antsibull-docs lint-collection-docs
# --plugin-docs on the installed copy; any error or warning fails. See tests/packaging/check_package.py.
package: venv
	$(BIN)/python tests/packaging/check_package.py --json build/package/measurements.json

# The documentation site, built offline with antsibull-docs and Sphinx (warnings are errors) into build/docs/html.
docs: venv collection
	$(BIN)/python tests/packaging/build_docs.py

clean:
	rm -rf build .pytest_cache
