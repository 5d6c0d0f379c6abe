# The two commands of the README's quick start:
#   make demo    a sample world of hub and nodes, collected and checked
#   make test    the whole test suite (installs what it needs: Debian packages, a venv), after
#                the layer contracts (import-linter) and the types (mypy --strict on src/);
#                pytest runs one worker per core (pytest-xdist), each test file in one worker,
#                so a file's module fixtures (a browser, a published world) are made once
.PHONY: demo test lint bench

demo:
	scripts/bootstrap.sh
	.venv/bin/tarwatch demo

test:
	scripts/install-system-deps.sh
	scripts/bootstrap.sh test
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/lint-imports
	.venv/bin/mypy
	.venv/bin/python -m pytest -q -n auto --maxprocesses 4 --dist loadfile

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/lint-imports
	.venv/bin/mypy
