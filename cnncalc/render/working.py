"""The documents of the arithmetic commands (``conv``, ``pool``, ``fc``, ``pad``): a worked
answer (:class:`cnncalc.arithmetic.Working`) as text or JSON."""

from __future__ import annotations

import json

from cnncalc.arithmetic import Working


def working_json(working: Working) -> str:
    body = {
        "title": working.title,
        "ok": working.ok,
        "steps": list(working.steps),
        "problem": working.problem,
        "hint": working.hint,
    }
    return json.dumps(body | dict(working.figures), indent=2)


def working_text(working: Working) -> tuple[str, str]:
    """The title and steps (standard output), and the problem and hint (standard error)."""
    out = [working.title, *(f"  {step}" for step in working.steps)]
    err = []
    if working.problem:
        err.append(f"error: {working.problem}")
    if working.hint:
        err.append(f"  = hint: {working.hint}")
    return "".join(line + "\n" for line in out), "".join(line + "\n" for line in err)
