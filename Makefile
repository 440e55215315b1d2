# cognito-reset: every task a developer or CI runs. `make help` lists them.
#
# The first run bootstraps .venv/ (cargo-lambda, moto, the AWS Encryption SDK for Python)
# from requirements-dev.txt; later runs reuse it.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
# Cargo tools the tests need, built from crates.io once per machine (not per clone) into
# ~/.cache/cognito-reset/<tool>-<version>/, on first use; TOOLS_HOME to put them elsewhere.
DENY_VERSION := 0.20.2
TOOLS_HOME ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cognito-reset
DENY   := $(TOOLS_HOME)/cargo-deny-$(DENY_VERSION)/bin/cargo-deny
MDBOOK_VERSION := 0.5.4
MDBOOK := $(TOOLS_HOME)/mdbook-$(MDBOOK_VERSION)/bin/mdbook
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

# Deployment (make deploy, make attach): stack name, region, and template parameters.
STACK ?= cognito-reset
POOL_ID ?=
EMAIL_FROM ?=
SMS_ALLOWED_COUNTRIES ?=
# The SMS sender's service in `make demo` and `make stack`: sns or end-user-messaging.
SMS_BACKEND ?= sns
PRE_TOKEN_VERSION ?= V2_0
CONFIRM ?=
SES_IDENTITY_ARN ?=
PARAMS ?=
BUILD ?= 1
ZIP_DIR ?= target/lambda

.PHONY: preview preview-build preview-check preview-shots
.PHONY: help tools demo test fmt lint clippy watch invoke build build-zip deploy deploy-fn attach force-reset docs settings phone-data example-check bench stack stack-stop sent package clean-tools

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt
	@echo "==> bootstrapping $(VENV)/ (cargo-lambda, moto, aws-encryption-sdk)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# One install for the repository's Node packages: cognito-local, and the workspaces (the npm
# package and the Amplify example, which depends on it by name, as an app would).
$(NODE_STAMP): package.json package-lock.json npm/cognito-reset/package.json examples/amplify-gen2/package.json
	@echo "==> installing node packages (cognito-local, the npm package's and the example's) into node_modules/"
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

$(DENY):
	@echo "==> building cargo-deny $(DENY_VERSION) into $(TOOLS_HOME)/ (once per machine)"
	cargo install --quiet --locked --root $(dir $(@D)) cargo-deny --version $(DENY_VERSION)

$(MDBOOK):
	@echo "==> building mdbook $(MDBOOK_VERSION) into $(TOOLS_HOME)/ (once per machine)"
	cargo install --quiet --locked --no-default-features --root $(dir $(@D)) mdbook --version $(MDBOOK_VERSION)

# Debian's packages the tests need, in one apt-get run (two at once would wait on dpkg's lock):
# Chromium, for the browser test of the message gallery (playwright-core drives it; its own
# browser download cannot work here), and the PostgreSQL server, the legacy user store of the
# user migration tests and demo (the tests start their own on a loopback port; nothing runs as
# a system service).
CHROMIUM ?= /usr/bin/chromium
POSTGRES ?= $(or $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin/postgres))),/usr/lib/postgresql/15/bin/postgres)
$(CHROMIUM) $(POSTGRES) &:
	@command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || \
	  { echo "$(CHROMIUM) or $(POSTGRES) is missing: install them (Debian: apt-get install chromium postgresql), or set CHROMIUM=<path> and PG_BIN=<folder>"; exit 1; }
	@echo "==> installing Debian's chromium (the message gallery's browser test) and postgresql (user migration's legacy store)"
	apt-get update -qq && apt-get install -y -qq chromium postgresql >/dev/null

tools: $(STAMP) $(NODE_STAMP) $(DENY) $(MDBOOK) $(CHROMIUM) $(POSTGRES) ## Install the local tools into .venv/, node_modules/ and ~/.cache/cognito-reset/ (done by every target that needs them)

demo: $(STAMP) $(NODE_STAMP) $(POSTGRES) ## The whole reset flow locally: moto, cargo lambda watch, cognito-local, a legacy PostgreSQL store (KEEP=1 keeps it running)
	SMS_BACKEND=$(SMS_BACKEND) cargo run --quiet --locked -p cognito-reset-stack --bin demo

# The tools install side by side: downloads overlap the builds.
test: ## Everything CI checks: format, docs, lints, template lint, unit, integration and local-stack tests
	$(MAKE) --no-print-directory -j2 tools
	cargo fmt --all -- --check
	$(MAKE) --no-print-directory docs
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory example-check
	$(DENY) deny check --hide-inclusion-graph licenses bans sources
	cargo clippy --workspace --all-targets --locked -- -D warnings
	scripts/check-functions.sh
	COGNITO_RESET_REQUIRE_STACK=1 cargo test --workspace --locked

# checkov fails on any finding the template does not skip with a reason in its Metadata;
# --skip-download keeps it offline (it would fetch guideline links from Prisma Cloud).
lint: tools ## Validate the CloudFormation template with cfn-lint and the checkov policy scanner
	$(VENV)/bin/cfn-lint infra/template.json
	$(VENV)/bin/checkov -f infra/template.json --framework cloudformation --quiet --compact --skip-download

fmt: ## Format the code
	cargo fmt --all

clippy: ## Lint the code
	cargo clippy --workspace --all-targets -- -D warnings

watch: tools ## Serve every function locally (Lambda Invoke API on 127.0.0.1:$(PORT))
	cargo lambda watch --invoke-address 127.0.0.1 --invoke-port $(PORT) --env-file $(ENV_FILE)

invoke: tools ## Invoke FN with EVENT through `make watch` (e.g. make invoke FN=custom-message EVENT=...)
	cargo lambda invoke $(FN) --invoke-address 127.0.0.1 --invoke-port $(PORT) --data-file $(EVENT)

stack: tools ## Start moto (KMS, SNS, SES) with a key, and write .local/stack.env and .local/events/ with real ciphertexts
	SMS_BACKEND=$(SMS_BACKEND) cargo run --quiet --locked -p cognito-reset-stack --bin stack -- start

sent: tools ## Show the SMS and email the local stack recorded
	cargo run --quiet --locked -p cognito-reset-stack --bin stack -- sent

stack-stop: ## Stop the local stack
	cargo run --quiet --locked -p cognito-reset-stack --bin stack -- stop

# Each function is built on its own: building them together would unify their features, and
# the custom message and pre token binaries would link the senders' AWS SDK features.
build: tools ## Release build of every function with cargo-lambda (ARCH=--arm64 or --x86-64)
	for f in $(FUNCTIONS); do cargo lambda build --release $(ARCH) --locked -p $$f; done

build-zip: tools ## Release zips of every function for deployment (target/lambda/<fn>/bootstrap.zip)
	for f in $(FUNCTIONS); do cargo lambda build --release $(ARCH) --locked --output-format zip -p $$f; done

# The npm package (npm/cognito-reset) with every function prebuilt for both architectures:
# exactly one tarball in target/npm/ (npm/cognito-reset/scripts/pack.mjs, which the workspace
# test also packs with).
package: tools ## Build the functions for arm64 and x86_64 and pack the npm package into target/npm/ (one tarball)
	for arch in arm64 x86-64; do for f in $(FUNCTIONS); do \
	  cargo lambda build --release --$$arch --locked -p $$f --lambda-dir target/lambda-$$arch || exit 1; done; done
	node npm/cognito-reset/scripts/pack.mjs --out target/npm \
	  --arch 'arm64=target/lambda-arm64/{fn}/bootstrap' --arch 'x86_64=target/lambda-x86-64/{fn}/bootstrap'

DEPLOY_ENV = STACK=$(STACK) POOL_ID=$(POOL_ID) EMAIL_FROM=$(EMAIL_FROM) SES_IDENTITY_ARN=$(SES_IDENTITY_ARN) \
  SMS_ALLOWED_COUNTRIES=$(SMS_ALLOWED_COUNTRIES) PARAMS="$(PARAMS)" ZIP_DIR=$(ZIP_DIR)

# The configuration is checked with the functions' own parsers first, before any build or AWS call.
deploy: tools ## Build, upload and deploy the stack (POOL_ID=... for an existing pool; EMAIL_FROM, SES_IDENTITY_ARN, SMS_ALLOWED_COUNTRIES, PARAMS="Key=Value ...")
	$(DEPLOY_ENV) $(VENV)/bin/python scripts/deploy.py --check
	@if [ "$(BUILD)" = "1" ]; then $(MAKE) --no-print-directory build-zip; fi
	$(DEPLOY_ENV) $(VENV)/bin/python scripts/deploy.py

deploy-fn: tools ## Update one deployed function's code quickly (FN=<name>), with cargo lambda deploy
	cargo lambda build --release $(ARCH) -p $(FN)
	cargo lambda deploy --binary-name $(FN) $(STACK)-$(FN)

attach: tools ## Check an existing pool (POOL_ID=...) and wire the deployed functions into it, keeping its other settings (CONFIRM=1 adds missing attributes)
	STACK=$(STACK) POOL_ID=$(POOL_ID) PRE_TOKEN_VERSION=$(PRE_TOKEN_VERSION) CONFIRM=$(CONFIRM) $(VENV)/bin/python scripts/attach.py

RESET_USER ?=
force-reset: $(STAMP) ## Force a user to reset by code and end their sessions (POOL_ID=... RESET_USER=...): sets the flag, then AdminUserGlobalSignOut
	POOL_ID=$(POOL_ID) RESET_USER=$(RESET_USER) $(VENV)/bin/python scripts/force_reset.py

BENCH_PY_STAMP := $(VENV)/.bench-installed
BENCH_NODE_STAMP := bench/peers/node/node_modules/.package-lock.json

$(BENCH_PY_STAMP): bench/peers/python/requirements.txt $(STAMP)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/peers/python/requirements.txt
	@touch $@

# aws-lambda-ric 3.2.1 (the last release for Node 20) compiles native code at install.
$(BENCH_NODE_STAMP): bench/peers/node/package.json bench/peers/node/package-lock.json
	@command -v cmake >/dev/null && command -v autoconf >/dev/null && command -v libtoolize >/dev/null || \
	  { echo "==> installing cmake, autoconf, automake, libtool (aws-lambda-ric builds native code)"; \
	    apt-get update -qq && apt-get install -y -qq cmake autoconf automake libtool >/dev/null; }
	cd bench/peers/node && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

bench: tools $(BENCH_PY_STAMP) $(BENCH_NODE_STAMP) ## Benchmarks vs Node.js and Python peers: bench/RESULTS.md, bench/results.svg (BENCH_WARM=2000)
	for f in $(FUNCTIONS); do cargo build --release --locked -p $$f; done
	cargo run --release --locked -p bench

# The message gallery (docs/src/preview.md): every email and SMS, written by the functions.
PREVIEW_PORT ?= 8025
PREVIEW_ENV_FILE ?= $(ENV_FILE)
preview: ## Serve the message gallery on 127.0.0.1:$(PREVIEW_PORT), rebuilt when a template or a setting changes
	cargo run --quiet --locked -p preview -- serve --port $(PREVIEW_PORT) --env-file $(PREVIEW_ENV_FILE)

preview-build: ## Write the message gallery to target/preview/ (index.html, one page per message)
	cargo run --quiet --locked -p preview -- build --env-file $(PREVIEW_ENV_FILE)

preview-check: $(NODE_STAMP) $(CHROMIUM) preview-build ## Check the gallery in Chromium (what make test runs), screenshots in target/preview/shots/
	node tests/preview/check.mjs target/preview docs/src/preview.md

preview-shots: preview-check ## Copy the test's screenshots of the gallery into the docs
	cp target/preview/shots/gallery.png target/preview/shots/message.png docs/src/preview/

docs: $(MDBOOK) ## Build the book (docs/) into target/book/ and check every link of it and of the README
	$(MDBOOK) build docs
	$(PYTHON) scripts/check-docs.py

phone-data: ## Write shared/src/domain/phone/data.rs and shared/src/domain/settings/countries.rs from the phonenumber crate (after upgrading it)
	cargo run --quiet --locked -p gen-phone-data

settings: ## Write from shared/src/domain/settings: the configuration table, shared/settings.json, the npm package's options, the template's constraints
	cargo run --quiet --locked -p settings-docs

example-check: $(NODE_STAMP) ## Build the npm package's types, test it, and type-check the Amplify Gen 2 example against it
	node_modules/.bin/tsc -p npm/cognito-reset/tsconfig.build.json
	node_modules/.bin/tsx --test npm/cognito-reset/test/*.test.ts
	cd examples/amplify-gen2 && ../../node_modules/.bin/tsc --noEmit -p .

clean-tools: ## Remove .venv/
	rm -rf $(VENV)
