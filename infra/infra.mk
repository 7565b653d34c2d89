# Infrastructure targets (package, plan, apply, infra-check) are defined here.
.PHONY: infra-check
infra-check:
	@echo "infra-check: no infrastructure yet"
