# The README's two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench-roster bench-reports bench-broadcast bench-schedules bench-callups bench-trainings bench-evaluation bench-cases clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "xieshang needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# With TELEGRAM_BOT_TOKEN (environment or .env) the real bot; without it the sandbox, a local
# Telegram and web chat at http://127.0.0.1:8080.
run: $(VENV)/.installed
	@if $(BIN)/python -c 'import sys; from bot.settings import Settings; sys.exit(not Settings().telegram_bot_token)' 2>/dev/null; \
	then $(BIN)/xieshang run; else $(BIN)/xieshang sandbox; fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check bot storage schedules tests bench
	$(BIN)/ruff format --check bot storage schedules tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# One worker per CPU; worksteal rebalances when a few slow tests (the CLI, the 1,050-recipient
# delivery) land on one worker. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= logical

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

bench-roster: $(VENV)/.installed-dev
	$(BIN)/python -m bench.roster

bench-reports: $(VENV)/.installed-dev
	$(BIN)/python -m bench.reports

bench-broadcast: $(VENV)/.installed-dev
	$(BIN)/python -m bench.broadcast

bench-schedules: $(VENV)/.installed-dev
	$(BIN)/python -m bench.schedules

bench-callups: $(VENV)/.installed-dev
	$(BIN)/python -m bench.callups

bench-trainings: $(VENV)/.installed-dev
	$(BIN)/python -m bench.trainings

bench-evaluation: $(VENV)/.installed-dev
	$(BIN)/python -m bench.evaluation

bench-cases: $(VENV)/.installed-dev
	$(BIN)/python -m bench.cases

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
