# The commands of the README. Each creates .venv on first use, so a fresh
# clone needs nothing installed by hand but python3 (>= 3.11) and make
# (and wrk for the serving benchmark: apt-get install wrk).
VENV   := .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench bench-quick bench-feed bench-feed-quick bench-export clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,simulator]'
	touch $(STAMP)

# make demo PORT=9000 serves on another port (default 8080).
demo: $(STAMP)
	$(BIN)/idc-connector demo $(if $(PORT),--port $(PORT))

lint: $(STAMP)
	$(BIN)/ruff check connector scim schemas tests bench
	$(BIN)/ruff format --check connector scim schemas tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 --dist loadfile

# The benchmarks (bench/README.md). Long: the full sync benchmark takes about 27
# minutes on 2 cores, the serving one about 2 minutes plus 6 to build its
# 100,000-user store the first time (kept in bench/.cache), the change feed's
# about 35 (two runs on L). Results go to bench/results/; docs/performance.md
# publishes them.
bench: $(STAMP)
	$(BIN)/python -m bench.run_sync
	PYTHONPATH=. $(BIN)/python -m bench.serving --size XL --seconds 20
	$(BIN)/python -m bench.run_feed

# S and M under the cpu and throttle profiles, in under 2 minutes, then the
# change feed on the tiny organisation, in about one; writes
# bench/results/sync-quick.* and feed-quick.*, never the full runs' files.
bench-quick: $(STAMP)
	$(BIN)/python -m bench.run_sync --quick
	$(BIN)/python -m bench.run_feed --quick

# The change feed's benchmark alone (issue 11): L, 5 minutes of changes, SQS then
# CloudTrail (about 35 minutes); the quick one (about a minute).
bench-feed: $(STAMP)
	$(BIN)/python -m bench.run_feed

bench-feed-quick: $(STAMP)
	$(BIN)/python -m bench.run_feed --quick

# The review export's memory and time to first byte on the XL store (issue 13;
# bench/run_export.py): a few minutes, plus the store's build the first time.
bench-export: $(STAMP)
	PYTHONPATH=. $(BIN)/python -m bench.run_export --size XL

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
