"""The README shows real output: its generated sections equal what the code prints now."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_sections_are_current() -> None:
    spec = importlib.util.spec_from_file_location("update_readme", ROOT / "scripts" / "update_readme.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "README.md").read_text()
    for name in module.SECTIONS:
        assert f"<!-- {name}:start -->" in text, f"README lacks the generated section {name}"
    assert module.updated(text) == text, "README is stale: run python scripts/update_readme.py"
