"""Every diagnostic code is raised somewhere and documented: the table in errors.py is not a wish
list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnncalc.errors import CODES

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "\n".join(p.read_text() for p in (ROOT / "cnncalc").rglob("*.py") if p.name != "errors.py")
DOCS = (
    (ROOT / "README.md").read_text()
    + (ROOT / "docs" / "robustness.md").read_text()
    + (ROOT / "docs" / "hostile-cases.md").read_text()
)


@pytest.mark.parametrize("code", sorted(CODES))
def test_code_is_raised_and_documented(code: str) -> None:
    assert f'"{code}"' in SOURCE, f"{code} is in CODES but nothing raises it"
    assert code in DOCS, f"{code} is not documented"
