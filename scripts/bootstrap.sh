#!/usr/bin/env bash
# Create .venv (if needed) and install tarwatch into it, with the test extras when asked:
#   scripts/bootstrap.sh          # tarwatch only
#   scripts/bootstrap.sh test     # tarwatch and what the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "tarwatch needs Python 3.11 or newer; $python is $("$python" --version 2>&1)" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
extras=""
[ "${1:-}" = test ] && extras="[test]"
# Re-install only when pyproject.toml changed since the last install.
stamp=".venv/.tarwatch-installed${extras:+-test}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extras"
    touch "$stamp"
fi
