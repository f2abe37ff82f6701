"""``cnncalc check --format sarif``: the diagnostics as a SARIF 2.1.0 log, which GitHub code
scanning shows on the lines of a pull request and in the repository's Security tab (as ruff,
ESLint and other linters offer). One result per diagnostic; one rule per code, described by the
code table (:data:`cnncalc.errors.CODES`).

Spec: OASIS SARIF 2.1.0, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html (3.27
``result``, 3.28.2 ``level``: ``error``, ``warning``, ``note``); GitHub's accepted subset:
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote

from cnncalc.errors import CODES, Diagnostic

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(file: str) -> str:
    """A file as a relative URI reference (``specs/my%20net.yaml``), as code scanning wants it."""
    return quote(file.replace("\\", "/").removeprefix("./"), safe="/")


def check_sarif(diagnostics: Iterable[Diagnostic], version: str) -> str:
    """The SARIF log of ``diagnostics`` from cnncalc ``version``."""
    found = list(diagnostics)
    codes = sorted({d.code for d in found})
    results = []
    for d in found:
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": codes.index(d.code),
                "level": d.severity.value,
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(d.span.file)},
                            "region": {"startLine": d.span.line, "startColumn": d.span.col},
                        }
                    }
                ],
            }
        )
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cnncalc",
                        "version": version,
                        "rules": [
                            {"id": code, "shortDescription": {"text": CODES[code]}}
                            for code in codes
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2)
