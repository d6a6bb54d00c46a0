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

.PHONY: demo test venv collection unit integration conformance sanity lint molecule runner benchmarks clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# ansible-playbook finds the collection through a link named like its FQCN.
collection: $(COLL_LINK)

$(COLL_LINK):
	mkdir -p $(dir $(COLL_LINK))
	ln -sfn $(CURDIR) $(COLL_LINK)

demo: venv collection
	$(BIN)/python playbooks/demo.py

test: venv collection
	mkdir -p build
	$(BIN)/python -m pytest -q -p no:cacheprovider --junitxml=build/pytest.xml tests/unit tests/conformance tests/integration
	$(MAKE) molecule
	$(MAKE) sanity lint
	@echo "make test: pytest, molecule, ansible-test sanity and ansible-lint all passed"
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
lint: venv collection
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/ansible-lint --profile production --offline
	$(BIN)/antsibull-changelog lint

benchmarks: venv collection
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf build .pytest_cache
