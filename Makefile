# Entry points for dev, tests and CI. `make` alone lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
HUB := $(VENV)/bin/hub
STATE_DIR := $(or $(HUB_STATE_DIR),.state)
PYTEST_ARGS ?=

.PHONY: help bootstrap up test lint services-up services-down clean-state

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

bootstrap: ## install system packages, .venv and dependencies (idempotent, quick when done)
	@deploy/local/bootstrap.sh

up: bootstrap ## start Redis, OpenSearch and the hub with demo data
	$(HUB) up --demo

test: bootstrap ## start the services and run the tests (extra options: PYTEST_ARGS='-k sync')
	$(HUB) services up
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: bootstrap ## ruff check, ruff format --check, mypy (strict)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

services-up: bootstrap ## start the local Redis and OpenSearch (reuses what already answers)
	$(HUB) services up

services-down: ## stop the local Redis and OpenSearch that services-up started
	@if [ -x $(HUB) ]; then $(HUB) services down; fi

clean-state: services-down ## stop the services, then delete their data, logs and jars
	rm -rf -- "$(STATE_DIR)"
