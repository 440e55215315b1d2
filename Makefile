# cognito-reset: every task a developer or CI runs. `make help` lists them.
#
# The first run bootstraps .venv/ (cargo-lambda, moto, the AWS Encryption SDK for Python)
# from requirements-dev.txt; later runs reuse it.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json
PYTHON ?= python3
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Local Lambda service port (cargo lambda watch), and what `make invoke` sends.
PORT  ?= 9000
FN    ?= custom-message
EVENT ?= tests/fixtures/events/custom-message-ForgotPassword.json
# Function configuration for `make watch` and `make demo` (KEY=VALUE lines).
ENV_FILE ?= config/local.env
# Target architecture for release builds: --arm64 (Graviton, default) or --x86-64.
ARCH ?= --arm64
# Every Lambda function of the workspace (folder = package = binary).
FUNCTIONS := $(notdir $(wildcard functions/*))

.PHONY: help tools demo test fmt lint clippy watch invoke build stack stack-stop sent clean-tools

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt
	@echo "==> bootstrapping $(VENV)/ (cargo-lambda, moto, aws-encryption-sdk)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@echo "==> installing node tools (cognito-local) into node_modules/"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

tools: $(STAMP) $(NODE_STAMP) ## Install the local tools into .venv/ and node_modules/ (done by every target that needs them)

demo: tools ## The whole reset flow locally: moto, cargo lambda watch, cognito-local (KEEP=1 keeps it running)
	cargo run --quiet --locked -p cognito-reset-tests --bin demo

test: tools ## Everything CI checks: format, lints, unit, integration and local-stack tests
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	COGNITO_RESET_REQUIRE_STACK=1 cargo test --workspace --locked

fmt: ## Format the code
	cargo fmt --all

clippy: ## Lint the code
	cargo clippy --workspace --all-targets -- -D warnings

watch: tools ## Serve every function locally (Lambda Invoke API on 127.0.0.1:$(PORT))
	cargo lambda watch --invoke-address 127.0.0.1 --invoke-port $(PORT) --env-file $(ENV_FILE)

invoke: tools ## Invoke FN with EVENT through `make watch` (e.g. make invoke FN=custom-message EVENT=...)
	cargo lambda invoke $(FN) --invoke-address 127.0.0.1 --invoke-port $(PORT) --data-file $(EVENT)

stack: tools ## Start moto (KMS, SNS, SES) with a key, and write .local/stack.env and .local/events/ with real ciphertexts
	$(VENV)/bin/python scripts/stack.py start

sent: tools ## Show the SMS and email the local stack recorded
	$(VENV)/bin/python scripts/stack.py sent

stack-stop: ## Stop the local stack
	$(VENV)/bin/python scripts/stack.py stop

build: tools ## Release build of every function with cargo-lambda (ARCH=--arm64 or --x86-64)
	cargo lambda build --release $(ARCH) --locked $(addprefix -p ,$(FUNCTIONS))

clean-tools: ## Remove .venv/
	rm -rf $(VENV)
