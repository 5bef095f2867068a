# The two commands: `make run` and `make test`. Each installs what it needs first and is safe to repeat.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
WEB_BUILD := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public web/index.html web/package.json web/vite.config.ts -type f 2>/dev/null)
# The WhatsApp engine program (Go, engine/): built into engine/bin/, again only when its sources change. The debug
# build adds the test-only commands (injecting events, offline sessions) that the suite and benchmarks use.
ENGINE_SOURCES := $(shell find engine -name '*.go' -not -path 'engine/bin/*' 2>/dev/null) engine/go.mod engine/go.sum
ENGINE_BIN := engine/bin/zapdesk-wa
ENGINE_DEBUG_BIN := engine/bin/zapdesk-wa-debug
GO_TAGS_DEBUG := -tags zapdesk_debug
# pytest-xdist: one test process per core, each starting its own PostgreSQL and Redis (tests/services.py); a file's
# tests stay in one process so its fixtures are built once. PYTEST_WORKERS=0 runs everything in one process (do so
# with TEST_DATABASE_URL/TEST_REDIS_URL, whose one Redis the processes would share).
PYTEST_WORKERS ?= auto

.PHONY: run test bench lint typecheck install web types engine engine-debug engine-test proto test-packages bench-packages clean

run: install web engine
	$(BIN)/zapdesk run

test: install web engine engine-debug test-packages lint typecheck engine-test
	@if [ -f web/package.json ]; then cd web && npm run --silent lint && npm run --silent typecheck && npm test --silent; fi
	$(BIN)/pytest --numprocesses=$(PYTEST_WORKERS) --dist=loadfile

bench: install web engine-debug bench-packages
	$(BIN)/python -m bench

install: $(PY_STAMP)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

web: $(if $(wildcard web/package.json),$(WEB_BUILD))

# The web app's API and event types, generated from the server's OpenAPI document: run after changing a schema
# (a test fails while web/src/api/schema.gen.ts differs from what the server would generate).
types: install $(WEB_STAMP)
	cd web && ZAPDESK_PYTHON=$(abspath $(BIN))/python npm run --silent types

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build

engine: $(ENGINE_BIN)

engine-debug: $(ENGINE_DEBUG_BIN)

$(ENGINE_BIN): $(ENGINE_SOURCES)
	cd engine && "$$(../scripts/go-command)" build -trimpath -o bin/zapdesk-wa ./cmd/zapdesk-wa

$(ENGINE_DEBUG_BIN): $(ENGINE_SOURCES)
	cd engine && "$$(../scripts/go-command)" build -trimpath $(GO_TAGS_DEBUG) -o bin/zapdesk-wa-debug ./cmd/zapdesk-wa

engine-test:
	cd engine && "$$(../scripts/go-command)" vet $(GO_TAGS_DEBUG) ./... && "$$(../scripts/go-command)" test $(GO_TAGS_DEBUG) ./...

# Regenerates the protocol's Go and Python code from engine/proto/ (only after changing the .proto; the results
# are committed). protoc comes from PyPI's grpcio-tools, protoc-gen-go from the Go module proxy.
PROTO_TOOLS := $(VENV)/proto-tools
proto: install
	$(BIN)/pip install --quiet --target $(PROTO_TOOLS) grpcio-tools==1.85.1
	cd engine && GOBIN="$(CURDIR)/$(PROTO_TOOLS)/bin" "$$(../scripts/go-command)" install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.11
	PYTHONPATH=$(PROTO_TOOLS) $(BIN)/python -m grpc_tools.protoc -Iengine/proto \
		--plugin=protoc-gen-go=$(PROTO_TOOLS)/bin/protoc-gen-go \
		--go_out=engine/internal/protocol --go_opt=paths=source_relative \
		--python_out=src/zapdesk/engine/whatsapp/protocol \
		zapdesk_engine.proto

# Debian packages, installed when missing (as root; otherwise the command to run is printed). The suite and the
# benchmarks start throwaway PostgreSQL and Redis servers of their own from these programs (tests/services.py);
# the browser tests drive Debian's Chromium, since Playwright's own browser download does not work offline.
test-packages:
	@scripts/debian-packages postgresql redis-server chromium

bench-packages:
	@scripts/debian-packages postgresql

lint: install
	$(BIN)/ruff check src tests bench setup.py
	$(BIN)/ruff format --check src tests bench setup.py

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) web/node_modules web/dist engine/bin .pytest_cache .mypy_cache .ruff_cache
