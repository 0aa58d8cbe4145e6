# Loket — two commands: `make run` and `make test`. Everything else is a helper of those two.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
# Debian packages the tests and the app need (PDF validators, PostgreSQL, Qt's runtime libraries, and
# Chromium, the real browser the citizen's pages are tested and photographed in).
APT_PACKAGES := poppler-utils qpdf libnss3-tools postgresql zbar-tools dbus gnome-keyring \
	libgl1 libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 fonts-dejavu-core python3-venv \
	libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxkbcommon-x11-0 \
	chromium
DEMO   := .demo
PORT   ?= 8765

.PHONY: run cli offline test test-fast lint typecheck bench bench-load faults bundle clean system-deps translations \
	screenshots citizen-screenshots

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: apt-get install python3.11 python3.11-venv"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages. Run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

translations: $(STAMP)
	$(BIN)/python -m ui.i18n_build

# The demo's keyring: the desktop session's when there is one, else a private one kept in .demo/keyring
# (the same for `make run` and `make cli`, so loket-cli opens the demo profile's encrypted store).
IN_DEMO_KEYRING = if [ -n "$$DBUS_SESSION_BUS_ADDRESS" ]; then $(1); \
	else mkdir -p $(DEMO)/keyring && XDG_DATA_HOME_OVERRIDE=$(CURDIR)/$(DEMO)/keyring tools/with-keyring $(1); fi
DEMO_FLAGS := $(if $(OFFLINE),--offline)

run: system-deps $(STAMP) translations
	@$(call IN_DEMO_KEYRING,$(BIN)/python -m ui.demo --data $(DEMO) --port $(PORT) $(DEMO_FLAGS))

# loket-cli on the demo's profile and keyring: make cli ARGS="doctor", make cli ARGS="--json case list"
cli: $(STAMP)
	@test -d $(DEMO)/profile || { echo "No demo profile yet: run 'make run' once."; exit 2; }
	@$(call IN_DEMO_KEYRING,$(BIN)/loket-cli --profile $(DEMO)/profile $(ARGS))

# Stop the demo server that `make run` started: Loket goes on offline (status bar: Luring)
offline:
	@if [ -f $(DEMO)/server.pid ]; then kill $$(cat $(DEMO)/server.pid) && rm -f $(DEMO)/server.pid \
	  && echo "Demo server stopped: Loket now works offline. 'make run' again to be online."; \
	else echo "No demo server is running."; fi

# Tests run in TEST_JOBS worker processes (make test TEST_JOBS=1 for one at a time, in order)
TEST_JOBS ?= 3
test: system-deps $(STAMP) translations
	QT_QPA_PLATFORM=offscreen tools/with-keyring $(BIN)/python -m pytest -q -p no:cacheprovider \
	  -n $(TEST_JOBS) --dist worksteal -rf

test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen tools/with-keyring $(BIN)/python -m pytest -q -x -m "not slow and not postgres"

lint: $(STAMP)
	$(BIN)/ruff check app sync ui tests bench
	$(BIN)/mypy

bench: $(STAMP)
	tools/with-keyring $(BIN)/python bench/ingest.py
	tools/with-keyring $(BIN)/python bench/sync.py
	tools/with-keyring $(BIN)/python bench/rekap.py

# The server under a day's work of 1,000 devices (two loket-server processes, a throwaway PostgreSQL cluster,
# loopback only; about 10 minutes on 2 cores). Smaller: .venv/bin/python bench/load.py --devices 200
bench-load: system-deps $(STAMP)
	$(BIN)/python bench/load.py --devices 1000 --rounds 10 --duration 180

faults: system-deps $(STAMP)
	LOKET_FAULT_POINTS=1000 $(BIN)/python -m pytest -q -s tests/faults

# docs/screenshots/*.png and docs/walkthrough.md (the counter's day, signed for real against the demo server)
screenshots: system-deps $(STAMP) translations
	QT_QPA_PLATFORM=offscreen tools/with-keyring $(BIN)/python docs/screenshots.py
	QT_QPA_PLATFORM=offscreen tools/with-keyring $(BIN)/python docs/walkthrough.py

citizen-screenshots: system-deps $(STAMP)
	$(BIN)/python docs/citizen_screenshots.py

bundle: $(STAMP) translations
	$(BIN)/python -m pip install --quiet pyinstaller==6.22.3
	$(BIN)/pyinstaller --noconfirm build.spec
	dist/loket/loket-cli --version && du -sh dist/loket
	@echo "Smoke test against a real server: tools/with-keyring bundle/smoke.sh"

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache $(DEMO)
