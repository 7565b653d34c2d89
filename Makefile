# Developer entry points. Everything installs itself into .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: venv run local-db reset test test-app bench docs-ui graphiql graphql-schema clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## run: serve the API with chalice local on 127.0.0.1:$(PORT), backed by a local DynamoDB whose data
## stays in .local/ between runs (LOG_LEVEL=DEBUG for metrics and library logs)
run: venv
	PORT=$(PORT) $(BIN)/python -m chalicelib.localdev.run

## local-db: only the local DynamoDB (tables, demo data), for running plain `chalice local` yourself
## (it writes .local/local-db.env with the variables chalice local needs)
local-db: venv
	$(BIN)/python -m chalicelib.localdev.run --db-only

## reset: forget the local data, API key, demo login and mail; the next `make run` starts afresh
reset:
	rm -rf .local

## test: the whole suite (app tests, then the offline infrastructure checks)
test: test-app infra-check

# App tests run on every core; the Terraform-backed ones in tests/infra share state, so run serially.
test-app: venv
	$(BIN)/python -m pytest -q -n auto --ignore=tests/infra tests
	$(BIN)/python -m pytest -q tests/infra

## bench: cold start to first response, warm latency, DynamoDB calls per route and memory, side by side
## (ONLY=cold_start,warm,dynamodb_calls,memory,fanout,sync runs just those)
bench: venv
	$(BIN)/python -m tests.benchmarks $(if $(ONLY),--only $(ONLY))

## docs-ui: re-vendor Swagger UI for GET /docs from npm (checked against the pinned integrity);
## DOCS_UI_VERSION=x.y.z moves to another version. The files are committed: nothing else needs npm.
docs-ui:
	$(PYTHON) infra/vendor_docs_ui.py $(if $(DOCS_UI_VERSION),--version $(DOCS_UI_VERSION))

## graphiql: re-vendor GraphiQL and React for GET /graphql from npm (checked against the pinned integrity)
graphiql:
	$(PYTHON) infra/vendor_graphiql.py

## graphql-schema: print the GraphQL schema generated from the record routes to docs/schema.graphql
## (tests/api/test_graphql_schema.py fails when the file and the routes differ)
graphql-schema: venv
	$(BIN)/python -m chalicelib.platform.routes.graphql_schema > docs/schema.graphql

clean:
	rm -rf $(VENV) build .pytest_cache

include infra/infra.mk
