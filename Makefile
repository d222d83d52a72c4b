# donorbot tasks. `make help` lists them.
#
# PostgreSQL and Redis run locally through scripts/services.sh: under .dev for
# `make run`, under .dev/test for the tests. They stay up between runs (so the
# next run starts fast, on the same ports) until `make stop`.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
FUZZTIME ?= 20s
SERVICES := scripts/services.sh
DEPS     := scripts/deps.sh
DEV_DIR  := .dev
TEST_DIR := .dev/test

# Shell prefixes that export the services' URLs, installing (scripts/deps.sh)
# and starting local services unless the environment already names servers
# to use.
test_services = if [ -z "$${DONORBOT_TEST_DATABASE_URL:-}" ] || [ -z "$${DONORBOT_TEST_REDIS_URL:-}" ]; then \
	$(DEPS) postgresql redis; exports=$$($(SERVICES) --fast start $(TEST_DIR)); eval "$$exports"; fi
dev_services = if [ -z "$${DATABASE_URL:-}" ] || [ -z "$${REDIS_URL:-}" ]; then \
	$(DEPS) postgresql redis; exports=$$($(SERVICES) start $(DEV_DIR)); eval "$$exports"; fi

.PHONY: help test run seed services stop fuzz bench load

help: ## list the targets
	@awk -F ':.*## ' '/^[a-z-]+:.*## / { printf "  make %-9s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

test: ## go vet, then every test with the race detector (installs what is missing)
	@$(DEPS) gcc chromium
	$(GO) vet ./...
	@$(test_services); set -x; $(GO) test -race -count=1 -timeout 30m ./...

run: ## run the bot against the services of .dev; without TELEGRAM_BOT_TOKEN, the playground
	@$(dev_services); set -x; exec $(GO) run ./cmd/donorbot start

seed: ## load demo data into the database of .dev (idempotent)
	@$(dev_services); set -x; $(GO) run ./cmd/donorbot seed

services: ## start PostgreSQL and Redis under .dev; eval "$(make -s services)" exports their URLs
	@$(DEPS) postgresql redis; $(SERVICES) start $(DEV_DIR)

stop: ## stop the services of .dev and .dev/test
	@for dir in $(TEST_DIR) $(DEV_DIR); do if [ -f "$$dir/pg.port" ]; then $(SERVICES) stop "$$dir"; fi; done

fuzz: ## run each Fuzz target for FUZZTIME (default 20s)
	@$(test_services); FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh ./...

bench: ## run the benchmarks
	@$(test_services); set -x; $(GO) test -run '^$$' -bench . -benchmem ./...

load: ## load driver: echo ceiling, Bot API calls alone, inbox floor, donorbot, grammY peer, then donorbot/peer; C=64 for 20s each (LOAD_ARGS to change)
	@$(test_services); $(DEPS) nodejs || true; set -x; $(GO) build -o .dev/loadgen ./cmd/loadgen; rm -rf .dev/load; mkdir -p .dev/load; \
	for t in echo calls floor donorbot grammy; do \
		if [ $$t = grammy ] && ! command -v node >/dev/null; then echo "load: skipping -target grammy: node is not installed (scripts/deps.sh nodejs)"; continue; fi; \
		.dev/loadgen -target $$t $(LOAD_ARGS) | tee .dev/load/$$t.txt; \
	done; \
	if [ -f .dev/load/grammy.txt ]; then .dev/loadgen ratios .dev/load/donorbot.txt .dev/load/grammy.txt; fi
