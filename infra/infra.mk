# Infrastructure targets, included by the top Makefile (which defines PYTHON, VENV, BIN and venv).
#
#   make package ENV=dev       Chalice package for one stage -> build/<env>/terraform and build/<env>/sam
#   make plan ENV=dev          plan against the real account (AWS credentials, TF_STATE_BUCKET)
#   make apply ENV=dev         apply the plan that make plan wrote
#   make infra-check           everything offline: fmt, package + validate of every env root,
#                              terraform test in every module, checkov, cfn-lint
#
# Offline: TF_PLUGIN_DIR names a filesystem mirror of the providers (a directory holding
# registry.terraform.io/...); every terraform init here, and the Terraform-backed tests, then pass
# -plugin-dir. Unset, it is the first of TF_PLUGIN_MIRRORS that holds one; with none, init downloads
# as usual.

TF          ?= terraform
ENV         ?= dev
ENVS        := dev staging prod
INFRA_VENV  ?= .venv-infra
INFRA_BIN   := $(INFRA_VENV)/bin
INFRA_STAMP := $(INFRA_VENV)/.installed
TF_MODULES  := $(sort $(wildcard infra/modules/*))
TF_PLUGIN_MIRRORS ?= /opt/tf-plugins $(HOME)/.terraform.d/plugins $(HOME)/.local/share/terraform/plugins \
                     /usr/local/share/terraform/plugins /usr/share/terraform/plugins
TF_PLUGIN_DIR ?= $(firstword $(foreach d,$(TF_PLUGIN_MIRRORS),$(if $(wildcard $(d)/registry.terraform.io),$(d))))
export TF_PLUGIN_DIR
TF_INIT     := init -input=false -no-color $(if $(TF_PLUGIN_DIR),-plugin-dir=$(TF_PLUGIN_DIR))
# State bucket and its region, for plan/apply (docs/deploy.md: bootstrap).
TF_STATE_BUCKET ?=
TF_STATE_REGION ?= us-east-1

.PHONY: infra-venv package packages plan apply infra-check infra-fmt infra-validate infra-test \
        infra-checkov infra-cfn-lint

infra-venv: $(INFRA_STAMP)

$(INFRA_STAMP): requirements-infra.txt
	test -x $(INFRA_BIN)/python || $(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_BIN)/pip install --quiet --upgrade pip
	$(INFRA_BIN)/pip install --quiet -r requirements-infra.txt
	touch $@

## package: build/$(ENV)/terraform (module for infra/envs/$(ENV)) and build/$(ENV)/sam (SAM template)
package: venv
	$(BIN)/python infra/chalice_package.py --stage $(ENV)

packages: venv
	@set -e; for e in $(ENVS); do $(BIN)/python infra/chalice_package.py --stage $$e; done

plan: package
	@test -n "$(TF_STATE_BUCKET)" || { echo "set TF_STATE_BUCKET (and TF_STATE_REGION) - see docs/deploy.md"; exit 2; }
	$(TF) -chdir=infra/envs/$(ENV) $(TF_INIT) -backend-config=bucket=$(TF_STATE_BUCKET) -backend-config=region=$(TF_STATE_REGION)
	$(TF) -chdir=infra/envs/$(ENV) plan -input=false -out=tfplan

apply:
	@test -f infra/envs/$(ENV)/tfplan || { echo "no plan: run make plan ENV=$(ENV) first"; exit 2; }
	$(TF) -chdir=infra/envs/$(ENV) apply -input=false tfplan
	rm -f infra/envs/$(ENV)/tfplan

infra-check: infra-fmt infra-validate infra-test infra-checkov infra-cfn-lint
	@echo "infra-check: all offline infrastructure checks passed"

infra-fmt:
	$(TF) fmt -check -recursive -diff infra

## infra-validate: init -backend=false + validate of every env root, against its fresh package
infra-validate: packages
	@set -e; for e in $(ENVS); do \
	  echo "== terraform validate infra/envs/$$e"; \
	  $(TF) -chdir=infra/envs/$$e $(TF_INIT) -backend=false >/dev/null; \
	  $(TF) -chdir=infra/envs/$$e validate -no-color; \
	done

## infra-test: terraform test (mock_provider "aws") in every module
infra-test:
	@set -e; for m in $(TF_MODULES); do \
	  echo "== terraform test $$m"; \
	  $(TF) -chdir=$$m $(TF_INIT) -backend=false >/dev/null; \
	  $(TF) -chdir=$$m test -no-color; \
	done

## infra-checkov: 0 failed checks over infra/ (skips inline) and over every env's generated package
## and SAM template (skips in infra/checkov-package.yaml); each skip carries its reason
infra-checkov: $(INFRA_STAMP) packages
	$(INFRA_BIN)/checkov --directory infra --framework terraform --skip-download --quiet --compact
	$(INFRA_BIN)/checkov --config-file infra/checkov-package.yaml $(foreach e,$(ENVS),--directory build/$(e)/terraform) \
	  --framework terraform terraform_json --skip-download --quiet --compact
	$(INFRA_BIN)/checkov --config-file infra/checkov-package.yaml $(foreach e,$(ENVS),--file build/$(e)/sam/sam.json) \
	  --framework cloudformation --skip-download --quiet --compact

## infra-cfn-lint: the SAM templates of every stage
infra-cfn-lint: $(INFRA_STAMP) packages
	$(INFRA_BIN)/cfn-lint $(foreach e,$(ENVS),build/$(e)/sam/sam.json)
