# kzunrest — `make report` builds the report, `make test` runs the tests. Both set up everything
# they need first: a virtual environment (.venv) with the pinned dependencies, and the Debian
# packages for printing and checking the PDF.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SYSTEM := $(VENV)/.system-deps

.DEFAULT_GOAL := help
.PHONY: help report reports test mutants validate bench preview lab datadict system-deps venv clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "kzunrest needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

venv: $(INSTALLED)  ## create .venv with the pinned dependencies

$(SYSTEM): scripts/install-system-deps.sh | $(INSTALLED)
	scripts/install-system-deps.sh
	@touch $@

system-deps: $(SYSTEM)  ## install chromium, poppler-utils and DejaVu fonts if missing

report: $(INSTALLED) $(SYSTEM)  ## build build/report.html and build/report.pdf
	$(BIN)/kzunrest build

reports: $(INSTALLED) $(SYSTEM)  ## build the report in English, Russian and Kazakh (build/, build/ru/, build/kk/)
	$(BIN)/kzunrest build --language en --language ru --language kk

validate: $(INSTALLED)  ## check every CSV against data/datapackage.json
	$(BIN)/kzunrest validate

test: $(INSTALLED) $(SYSTEM)  ## run the test suite (builds its own reports in temporary folders)
	$(BIN)/python -m pytest

mutants: $(INSTALLED)  ## mutation testing of the logic modules (slow, not in CI); see docs/testing.md
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/python scripts/mutation_score.py

bench: $(INSTALLED) $(SYSTEM)  ## time kzunrest against its floor, Jupyter Book 1.x and the naive chain; writes build/bench.json
	$(BIN)/python scripts/bench.py

preview: $(INSTALLED)  ## rebuild the HTML on every save, served at http://127.0.0.1:8000/ (reloads itself)
	$(BIN)/kzunrest watch

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_SETTINGS): | $(INSTALLED)
	@mkdir -p $(dir $@)
	@# Answer JupyterLab's first-start question about news: no fetching (the machine is offline).
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}' > $@

lab: $(INSTALLED) $(LAB_SETTINGS)  ## open the chapters in JupyterLab (as root too, e.g. in a container)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

datadict: $(INSTALLED)  ## regenerate the data dictionary in data/README.md from datapackage.json
	$(BIN)/python scripts/update_datadict.py

clean:  ## remove build/ (the virtual environment stays)
	rm -rf build
