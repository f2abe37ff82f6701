#!/usr/bin/env bash
# The whole test suite, as the README and CI run it: install with the dev extras, then lint,
# type-check and test. Run from anywhere; uses the active Python (make a venv first if you like).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
python -m ruff check .
python -m ruff format --check .
python -m mypy
python -m pytest "$@"
