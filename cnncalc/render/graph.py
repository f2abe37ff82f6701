"""``cnncalc graph``: the layer graph (:mod:`cnncalc.diagram`) as Mermaid, which GitHub renders
inside Markdown, or as Graphviz DOT. Each box shows its name, type and hyper-parameters (a
collapsed block: its block and size) and its output volume; blocks are nested subgraphs, merges
have a rounded shape and skips are dashed edges.

User text (layer and block names) is escaped once here for each format: Mermaid labels as HTML
entities in Mermaid's ``#name;`` form (quotes, angle brackets, ``#``, backquotes, so a label
cannot end the string, add markup or close a Markdown code fence), DOT labels with ``\\`` and
``"`` escaped inside a quoted string; both after :func:`cnncalc.render.escape.visible`.
"""

from __future__ import annotations

from cnncalc.api import Report
from cnncalc.diagram import Box, Diagram
from cnncalc.render.escape import visible

_MERMAID = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "`": "#96;"}


def _mermaid_text(text: str) -> str:
    return "".join(_MERMAID.get(char, char) for char in visible(text))


def _dot_text(text: str) -> str:
    return visible(text).replace("\\", "\\\\").replace('"', '\\"')


def _lines(box: Box) -> list[str]:
    """A box's label lines: name, type and hyper-parameters (a block: its name and size), output."""
    kind = f"{box.kind}: {box.hyper}" if box.block else f"{box.kind} {box.hyper}".strip()
    shown = [box.name, "" if box.kind == "input" else kind]
    shown.append(str(box.output) if box.output is not None else "not inferred")
    return [line for line in shown if line]


#: One step of walking a diagram: open the group of box ``index``'s scope entry ``level``, show
#: box ``index``, or close the innermost group.
Event = tuple[str, int, int]


def _events(found: Diagram) -> list[Event]:
    """The boxes in order, with the groups opened and closed around them; a loop with a stack, as
    the nesting is bounded by the spec language but set by the user."""
    events: list[Event] = []
    stack: list[str] = []
    for i, box in enumerate(found.boxes):
        keep = 0
        while keep < min(len(stack), len(box.scope)) and stack[keep] == box.scope[keep][0]:
            keep += 1
        events += [("close", 0, 0)] * (len(stack) - keep)
        del stack[keep:]
        for level in range(keep, len(box.scope)):
            events.append(("open", i, level))
            stack.append(box.scope[level][0])
        events.append(("box", i, 0))
    events += [("close", 0, 0)] * len(stack)
    return events


def _group(found: Diagram, index: int, level: int) -> str:
    name, block = found.boxes[index].scope[level]
    return f"{name} · {block}"


def _title(report: Report) -> str:
    spec = report.spec
    return f"{spec.title or spec.name} — input {report.input}"


def graph_mermaid(report: Report, depth: int | None = None) -> str:
    """A Mermaid flowchart, top to bottom; paste it into a ```` ```mermaid ```` block on GitHub."""
    found = report.diagram(depth)
    out = [f'---\ntitle: "{_mermaid_text(_title(report))}"\n---', "flowchart TD"]
    indent = 1
    for event, index, level in _events(found):
        pad = "  " * indent
        if event == "open":
            out.append(
                f'{pad}subgraph g{index}_{level}["{_mermaid_text(_group(found, index, level))}"]'
            )
            indent += 1
        elif event == "close":
            indent -= 1
            out.append("  " * indent + "end")
        else:
            box = found.boxes[index]
            label = "<br/>".join(_mermaid_text(line) for line in _lines(box))
            if box.merge:
                out.append(f'{pad}n{index}(["{label}"])')
            elif index == 0:
                out.append(f'{pad}n{index}[/"{label}"/]')
            else:
                out.append(f'{pad}n{index}["{label}"]')
    for edge in found.edges:
        arrow = "-.->" if edge.skip else "-->"
        out.append(f"  n{edge.source} {arrow} n{edge.target}")
    return "\n".join(out) + "\n"


def graph_dot(report: Report, depth: int | None = None) -> str:
    """A Graphviz digraph, top to bottom; ``dot -Tsvg`` draws it."""
    found = report.diagram(depth)
    out = [
        f'digraph "{_dot_text(report.spec.name)}" {{',
        f'  label="{_dot_text(_title(report))}"; labelloc=t; rankdir=TB; fontname="Helvetica";',
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    indent = 1
    for event, index, level in _events(found):
        pad = "  " * indent
        if event == "open":
            out.append(f"{pad}subgraph cluster_{index}_{level} {{")
            out.append(f'{pad}  label="{_dot_text(_group(found, index, level))}"; style=dashed;')
            indent += 1
        elif event == "close":
            indent -= 1
            out.append("  " * indent + "}")
        else:
            box = found.boxes[index]
            label = "\\n".join(_dot_text(line) for line in _lines(box))
            shape = ", shape=ellipse" if box.merge else ", shape=parallelogram" if not index else ""
            out.append(f'{pad}n{index} [label="{label}"{shape}];')
    for edge in found.edges:
        style = " [style=dashed]" if edge.skip else ""
        out.append(f"  n{edge.source} -> n{edge.target}{style};")
    out.append("}")
    return "\n".join(out) + "\n"
