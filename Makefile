# portal-tui — `make run` opens the demo kiosk, `make test` runs everything. Both set themselves up.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
DEMO := PORTAL_CONFIG=config/demo.toml

.PHONY: run test bench install db demo kiosk lint tmux fonts sshd browser speech deploy-tools messages lock clean safety

run: install db demo kiosk

install: $(STAMP)

# Every package from requirements.lock, each checked against its hash; then the portal itself, with nothing more.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "portal-tui needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . --config-settings editable_mode=compat
	@rm -f $(VENV)/.installed-*
	@touch $@

db: install
	$(DEMO) $(BIN)/portal-tui db upgrade

demo: install
	$(DEMO) $(BIN)/portal-tui demo load

kiosk: install
	$(DEMO) $(BIN)/portal-tui kiosk

# The end-to-end tests drive the real program in tmux: install it if this machine lacks it.
tmux:
	@command -v tmux >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq tmux >/dev/null) || sudo apt-get install -y -qq tmux; }

# The post room sets letters in DejaVu Sans (any name prints as written): install it if this machine lacks it.
fonts:
	@[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null) || sudo apt-get install -y -qq fonts-dejavu-core; }

# Staff reach the desk over SSH: the end-to-end test runs a private sshd (OpenSSH's server and client).
sshd:
	@{ [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null; } || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq openssh-server openssh-client >/dev/null) || sudo apt-get install -y -qq openssh-server openssh-client; }

# deploy/ is checked as the host reads it: systemd-analyze verifies and rates the units, logrotate rotates a real log.
deploy-tools:
	@{ command -v systemd-analyze >/dev/null && command -v logrotate >/dev/null; } || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq systemd logrotate >/dev/null) || sudo apt-get install -y -qq systemd logrotate; }

# `portal-tui serve` is tested in a real headless browser: Debian's Chromium and its driver (never a download).
browser:
	@{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || sudo apt-get install -y -qq chromium chromium-driver; }

# The kiosk speaks (issue 20): Debian's espeak-ng says it, sox checks in the tests that what it said is not silence.
speech:
	@{ command -v espeak-ng >/dev/null && command -v sox >/dev/null; } || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq espeak-ng sox >/dev/null) || sudo apt-get install -y -qq espeak-ng sox; }

# The kiosk's languages (issue 20): extract every marked string into the template, bring each language's catalogue
# up to date with it (new strings untranslated, changed ones fuzzy: both wait for a translator), and compile them.
LOCALE := domain/locale
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _t:2 --add-location=file --sort-by-file -c "Translators:" --project=portal-tui \
		--copyright-holder="West Hertfordshire Teaching Hospitals NHS Trust" -o $(LOCALE)/portal.pot domain screens portal_tui
	$(BIN)/pybabel update -i $(LOCALE)/portal.pot -d $(LOCALE) -D portal --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) -D portal --statistics

# requirements.lock again from pyproject.toml (after changing a dependency, or to take new releases on purpose:
# review what moved, and the snapshots if Textual did), with pip-tools in a virtual environment of its own.
lock:
	$(PYTHON) -m venv .lock-tools
	.lock-tools/bin/python -m pip install --quiet --upgrade pip pip-tools
	.lock-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra test --all-build-deps \
		--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) -o requirements.lock pyproject.toml

# The clinical safety case report (docs/safety/safety-case.md) again from the hazard log (docs/safety/hazards.toml).
safety: install
	$(BIN)/python docs/safety/hazard_log.py

lint: install
	$(BIN)/lint-imports

test: install tmux fonts sshd browser speech deploy-tools lint
	$(BIN)/python -m pytest -n 4 --dist worksteal --durations=20
	@if [ -n "$$PORTAL_TEST_POSTGRES_URL" ]; then SOAK_SECONDS=$${SOAK_SECONDS:-15} SOAK_KIOSKS=$${SOAK_KIOSKS:-5} SOAK_DESKS=$${SOAK_DESKS:-3} $(BIN)/python -m pytest -m soak -s -q; \
	else echo "soak test skipped: PORTAL_TEST_POSTGRES_URL is not set (it runs many terminals against PostgreSQL)"; fi

bench: install tmux sshd
	$(BIN)/python bench/run.py; s1=$$?; $(BIN)/python bench/sms.py; s2=$$?; $(BIN)/python bench/appointments.py; s3=$$?; $(BIN)/python bench/fhir_import.py; s4=$$?; $(BIN)/python bench/sign_in.py; s5=$$?; $(BIN)/python bench/hl7_listener.py; s6=$$?; $(BIN)/python bench/kiosk_visits.py; s7=$$?; exit $$(( s1 || s2 || s3 || s4 || s5 || s6 || s7 ))

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .bench .artefacts .lock-tools
