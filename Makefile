# Two commands on a fresh machine: `make run` (the sandbox demo) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install widget run test lint format bench bench-pickup bench-webhooks bench-drain bench-all migrate clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The checkout widget's map library, from the npm registry at install time (none of it is
# committed); without npm or the registry the widget still works: a list without a map.
LEAFLET := var/widget/node_modules/leaflet/dist/leaflet.js
widget: $(LEAFLET)
$(LEAFLET):
	@command -v npm >/dev/null \
	  && npm install --prefix var/widget --no-save --no-package-lock --no-audit --no-fund \
	     leaflet@1.9.4 >/dev/null \
	  || echo "Leaflet not installed (no npm or no registry): the widget shows no map"

run: install widget
	$(BIN)/python -m app dev --host $(HOST) --port $(PORT)

test: install widget lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/calculate.py

bench-pickup: install
	$(BIN)/python bench/pickup_points.py

bench-webhooks: install
	$(BIN)/python bench/webhooks.py

# A few minutes by nature: 10,000 updates through Bitrix's 2-per-second limit.
bench-drain: install
	$(BIN)/python bench/drain.py

bench-all: bench bench-pickup bench-webhooks bench-drain

migrate: install
	$(BIN)/python -m app migrate

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
