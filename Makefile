# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make test` runs the suite in this many processes (pytest-xdist), one test file at a time each, longest first
# (tests/conftest.py); TEST_WORKERS=1 for a serial run
TEST_WORKERS ?= 2
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install ingest ui lint bench clean ocr

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, from the exact pin, so nothing pulls a CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	# constraints.txt pins every transitive dependency to the versions the tests ran with
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Scanned PDFs and images are read by Tesseract (English and simplified Chinese): installed here where apt-get can
ocr:
	@command -v tesseract >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
	  && (apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim >/dev/null) \
	  || echo "OCR unavailable: install tesseract-ocr and tesseract-ocr-chi-sim to read scanned PDFs and images"; }

# the whole corpus for BM25 and ranked search (dense vectors only from the embedding cache; `kb embed` adds the rest);
# the citation graph is built once (again if this checkout reads another format), then `kb ingest` and `kb update`
# keep it current; the embedding model is built once per machine here, before the app, so its build never runs
# beside the app holding the store
ingest: install ocr
	$(BIN)/kb ingest --sparse-first
	$(BIN)/kb citations build --if-needed
	$(BIN)/kb embed --model-only

UI := $(BIN)/streamlit run ui/app.py --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false
EMBED_LOG = $${KB_HOME:-data}/logs/embed.log

ui: install
	$(UI)

# the app's health check answers: it listens (STREAMLIT_SERVER_PORT, else Streamlit's 8501)
APP_UP := $(BIN)/python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' \
	+ os.environ.get('STREAMLIT_SERVER_PORT', '8501') + '/_stcore/health', timeout=2)" 2>/dev/null

# the app, and beside it `kb embed` filling in the dense vectors (log: $KB_HOME/logs/embed.log); it stops with the
# app and the next `make run` (or `kb embed`) goes on where it stopped. `kb embed` starts once the app listens: started
# first, it opened the store beside the app opening it (3.3 GB for the two, against 3 GB allowed) and held it until
# the app asked for it
run: ingest
	mkdir -p $${KB_HOME:-data}/logs
	(until $(APP_UP); do sleep 1; done; exec $(BIN)/kb embed) >> $(EMBED_LOG) 2>&1 & embed=$$!; \
	trap 'kill $$embed 2>/dev/null' EXIT INT TERM; $(UI)

test: install
	$(BIN)/python -m pytest -q $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

# the fast tier: component tests on small in-memory data; what needs the model, a store of real files or a
# browser, or starts processes, is marked `slow`/`browser` by tests/conftest.py and left to `make test`
.PHONY: test-fast
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# ruff, then the architecture's import contracts (pyproject.toml [tool.importlinter])
lint: install
	$(BIN)/ruff check kb ingest ui legal tests bench
	$(BIN)/lint-imports --no-logo

bench: install
	$(BIN)/python bench/ingest_speed.py
	$(BIN)/python bench/query_latency.py

clean:
	rm -rf $(VENV) data
