# Developer commands. Everything bootstraps itself: virtualenv, Odoo 18.0 source,
# PostgreSQL (see scripts/crmctl.py and README.md).
PYTHON ?= python3
CTL := $(PYTHON) scripts/crmctl.py

.PHONY: help demo demo-background demo-stop test lint i18n shell bench bench-quick

help:
	@echo "make demo            build (once) and serve the demo on http://localhost:8069"
	@echo "make demo-background same, in the background (make demo-stop to stop it)"
	@echo "make test            lint, static checks, translation gate, Odoo tests, e2e RPC tests"
	@echo "make i18n            re-export .pot files and merge vi / zh_CN .po files"
	@echo "make bench           benchmarks against standard Odoo (make bench-quick: 10x smaller)"

demo:
	$(CTL) demo

demo-background:
	$(CTL) demo --background

demo-stop:
	$(CTL) demo --stop

test:
	$(CTL) test

lint:
	$(CTL) test --only lint

i18n:
	$(CTL) i18n

shell:
	$(CTL) shell

bench:
	$(CTL) bench

bench-quick:
	$(CTL) bench --quick
