# The few commands a person needs. `make demo` and `make test` work on a fresh machine
# with Python 3.11, pip and make: everything else is installed into ./.venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
# PostgreSQL for the second pass of the suite; skipped (with a notice) when unreachable.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/haven
PYTEST_WORKERS ?= 2

.PHONY: install demo serve test lint typecheck test-sqlite test-postgres test-browser test-durability messages fmt bench clean audit

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv sync --frozen --python $(BIN)/python
	@touch $@

# The demo serves people as production does: DEBUG off (Haven's own error pages, static
# files hashed and compressed by WhiteNoise), unless DEBUG is set.
demo: export DEBUG ?= false
demo: install
	$(BIN)/haven demo
	@# The worker (matching, reminders, notifications) and, with TELEGRAM_BOT_TOKEN set, the
	@# bot in polling mode run beside the web server and stop with it.
	$(BIN)/haven worker & \
	if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/haven bot & fi; \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(BIN)/haven serve

serve: install
	$(BIN)/haven serve

lint: install
	$(BIN)/ruff check haven tests $(wildcard bench)
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy haven

test-sqlite: install
	HAVEN_ENV=test DATABASE_URL= $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser and not durability" -q

test-postgres: install
	@if $(BIN)/python -m haven.core.dbcheck "$(TEST_POSTGRES_URL)"; then \
		HAVEN_ENV=test DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser and not durability" -q; \
	else echo "PostgreSQL at $(TEST_POSTGRES_URL) is not reachable: the PostgreSQL pass is SKIPPED"; \
		test -z "$$HAVEN_REQUIRE_POSTGRES"; fi

test-browser: install
	HAVEN_ENV=test DATABASE_URL= $(BIN)/pytest -m browser -q -p no:xdist

# Kills the server mid-write and restarts PostgreSQL under it, so it runs alone and last.
test-durability: install
	HAVEN_ENV=test DATABASE_URL= TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest -p no:xdist -m durability -q tests/durability

test: lint typecheck test-sqlite test-postgres test-browser test-durability

# Static security analysis and known-vulnerable dependencies (docs/security-audit.md). Not
# part of `make test`: pip-audit needs the network to a vulnerability database (OSV by
# default, the fuller one; PIP_AUDIT_SERVICE=pypi for PyPI's JSON API). --strict makes a
# dependency it could not check a failure rather than a silent "no known vulnerabilities".
PIP_AUDIT_SERVICE ?= osv
audit: install
	$(BIN)/bandit -c pyproject.toml -r haven -q
	$(BIN)/pip-audit --strict --skip-editable --vulnerability-service $(PIP_AUDIT_SERVICE)

messages: install
	cd haven && ../$(BIN)/haven makemessages -l ru --no-obsolete --add-location file -i "matching/engine/*" -i "borders/estimator/*" && ../$(BIN)/haven compilemessages

fmt: install
	$(BIN)/ruff check --fix haven tests $(wildcard bench)
	$(BIN)/ruff format haven tests $(wildcard bench)

bench: install
	$(BIN)/python bench/matching.py --size 10k
	$(BIN)/python bench/border.py
	$(BIN)/python bench/stampede.py --seconds 5 --repeat 1

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
