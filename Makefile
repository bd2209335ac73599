# Vigie — set-up and checks. `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WORKSPACE ?= vigie-workspace
VIGIE_DEMO_SERVE ?= 1
DEMO_PORT ?= 8000
STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck pytest bench clean help

help:
	@echo "make demo   - install into .venv and run the pipeline on the bundled samples"
	@echo "make test   - install with dev extras, then ruff, mypy and pytest"
	@echo "make bench  - benchmarks (JSON figures on stdout)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Debian packages the tests use: pdftoppm/pdftotext to check PDF reports, HarfBuzz subsetting
# for WeasyPrint's fonts, Chromium for the web app's end-to-end tests (Playwright drives
# /usr/bin/chromium; no browser is downloaded).
APT_PACKAGES := poppler-utils libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-color-emoji chromium
APT_STAMP := $(VENV)/.installed-apt

$(APT_STAMP): | $(BIN)/python
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $(APT_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/vigie init -w $(WORKSPACE) >/dev/null
	@echo "== Ingesting the bundled samples (fictional dealer channels) into $(WORKSPACE)"
	$(BIN)/vigie ingest -w $(WORKSPACE) samples/telegram samples/whatsapp
	@echo "== Analysing"
	$(BIN)/vigie analyse -w $(WORKSPACE)
	@echo "== Linking channels, identifiers and copied ads"
	$(BIN)/vigie link -w $(WORKSPACE)
	@echo
	@$(BIN)/vigie stats -w $(WORKSPACE)
	@echo
	@echo "Workspace: $(WORKSPACE)/ (evidence/ = original files by SHA-256, lake/ = Parquet tables)"
	@echo "Try next:"
	@echo "  source $(BIN)/activate"
	@echo "  vigie messages -w $(WORKSPACE) --grep 'livraison|menu' --limit 10"
	@echo "  vigie messages -w $(WORKSPACE) --channel 'Livraison 13' --format jsonl"
	@echo "  vigie analyse --text '🍫 Jaune mousseux 10g = 80€, livraison gratuite' --json"
	@echo "  vigie channels -w $(WORKSPACE) --successors      # the backup-channel trail"
	@echo "  vigie prices -w $(WORKSPACE) --by month"
	@echo "  vigie stats -w $(WORKSPACE) --json"
	@pw=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	if $(BIN)/vigie user list -w $(WORKSPACE) --json | grep -q '"name": "demo"'; then \
		echo "$$pw" | $(BIN)/vigie user passwd demo --password-stdin -w $(WORKSPACE) >/dev/null; \
	else \
		echo "$$pw" | $(BIN)/vigie user add demo --role admin --password-stdin -w $(WORKSPACE) >/dev/null; \
	fi; \
	echo; echo "Web app account: user demo, password $$pw"; \
	if [ "$(VIGIE_DEMO_SERVE)" != "0" ]; then \
		echo "Open http://127.0.0.1:$(DEMO_PORT)/ and log in (Ctrl-C stops the server; VIGIE_DEMO_SERVE=0 skips it)."; \
		$(BIN)/vigie serve -w $(WORKSPACE) --port $(DEMO_PORT); \
	else \
		echo "Start it with: $(BIN)/vigie serve -w $(WORKSPACE)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src/vigie

pytest: $(STAMP) $(APT_STAMP)
	$(BIN)/pytest -q

test: $(STAMP) $(APT_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/vigie
	$(BIN)/pytest -q
	@$(BIN)/python -c 'import vigie.analyse.pipeline, vigie.analyse._compiled as c; print("analysis hot path:", "compiled by mypyc" if c.compiled_in_use() else "pure Python (pip install -e . rebuilds the compiled modules)")'

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
