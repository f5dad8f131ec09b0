# zhiben — the two commands: `make demo` (set up, generate, build, serve) and `make test`.
SHELL := /bin/bash
VENV := .venv
ZHIBEN := $(VENV)/bin/zhiben
RAW ?= data/demo/raw
WAREHOUSE ?= data/warehouse.duckdb
SCALE ?= district
PORT ?= 8501
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false

.PHONY: demo setup generate build serve docs test lint report closeout notebook bench clean

## demo: install everything, generate the demo drop, build the warehouse, serve the app
demo: setup generate build serve

setup: .setup-stamp
.setup-stamp: pyproject.toml constraints.txt scripts/setup.sh
	bash scripts/setup.sh
	touch $@

generate: setup
	rm -rf $(RAW)
	$(ZHIBEN) generate --out $(RAW) --scale $(SCALE) --dirty

build: setup
	$(ZHIBEN) build --raw $(RAW) --warehouse $(WAREHOUSE)

serve: setup
	$(ZHIBEN) serve --warehouse $(WAREHOUSE) --port $(PORT)

notebook: setup ; $(ZHIBEN) notebook --warehouse $(WAREHOUSE)

DOCS_PORT ?= 8580
## docs: the analysts' catalog (dbt docs of the last successful build) on 127.0.0.1:$(DOCS_PORT)
docs: setup
	$(ZHIBEN) docs --warehouse $(WAREHOUSE) --port $(DOCS_PORT)

## bench: build vs the floor SQL vs pandas, memory, page latency (see BENCH.md)
bench: setup
	$(VENV)/bin/python -m bench --scale district --scale city

## report: the 通报 (workbook + Word 晾晒通报) of the last full quarter as of D (QUARTER=2026Q3 to choose;
## MONTH=2026-11 for the monthly 月调度通报; FORMAT=docx|xlsx|pdf|both|all, default both)
FORMAT ?= both
report: setup
	$(ZHIBEN) report $(if $(QUARTER),--quarter $(QUARTER)) $(if $(MONTH),--month $(MONTH)) --format $(FORMAT) --warehouse $(WAREHOUSE)

## closeout: the 三年行动总结评估 as of D, Word and PDF (CLOSEOUT_FORMAT=docx for the Word file only)
CLOSEOUT_FORMAT ?= docx,pdf
closeout: setup
	$(ZHIBEN) closeout --format $(CLOSEOUT_FORMAT) --warehouse $(WAREHOUSE)

## test: the whole suite (lint + pytest: unit, dbt, end-to-end, app, browser, notebooks)
test: setup lint
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check src tests app bench notebooks
	$(VENV)/bin/sqlfluff lint models data_tests macros --disable-progress-bar --nocolor

clean:
	rm -rf data target logs .zhiben-build test-artifacts
