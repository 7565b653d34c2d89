# Infrastructure targets, included by the top Makefile (which defines PYTHON, VENV, BIN and venv).
#
#   make package ENV=dev       Chalice package for one stage -> build/<env>/{terraform,sam}
#   make plan ENV=dev          plan against the real account (needs TF_STATE_BUCKET, AWS credentials)
#   make apply ENV=dev         apply the plan written by make plan
#   make infra-check           everything offline: fmt, validate, terraform test, checkov, cfn-lint
#
# Offline: set TF_PLUGIN_DIR to a filesystem mirror of the providers (.ci/run does); every
# terraform init here then uses -plugin-dir. Without it, init downloads as usual.

TF          ?= terraform
ENV         ?= dev
ENVS        := dev staging prod
INFRA_VENV  ?= .venv-infra
INFRA_BIN   := $(INFRA_VENV)/bin
INFRA_STAMP := $(INFRA_VENV)/.installed
TF_MODULES  := $(sort $(wildcard infra/modules/*))
TF_INIT     := init -input=false -no-color $(if $(TF_PLUGIN_DIR),-plugin-dir=$(TF_PLUGIN_DIR))
# Authorizer result cache in seconds, applied to every custom authorizer of the package.
AUTHORIZER_TTL ?= 300

.PHONY: infra-venv package plan apply infra-check infra-fmt infra-test infra-validate infra-checkov infra-cfn-lint

infra-venv: $(INFRA_STAMP)

$(INFRA_STAMP): requirements-infra.txt
	test -x $(INFRA_BIN)/python || $(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_BIN)/pip install --quiet --upgrade pip
	$(INFRA_BIN)/pip install --quiet -r requirements-infra.txt
	touch $@

infra-check: infra-fmt infra-test infra-checkov
	@echo "infra-check: all offline infrastructure checks passed"

infra-fmt:
	$(TF) fmt -check -recursive -diff infra

## infra-test: terraform test (mock_provider "aws") in every module
infra-test:
	@set -e; for m in $(TF_MODULES); do \
	  echo "== terraform test $$m"; \
	  $(TF) -chdir=$$m $(TF_INIT) -backend=false >/dev/null; \
	  $(TF) -chdir=$$m test -no-color; \
	done

## infra-checkov: 0 failed checks over infra/; skips only inline, each with its reason
infra-checkov: $(INFRA_STAMP)
	$(INFRA_BIN)/checkov --directory infra --framework terraform --skip-download --quiet --compact
