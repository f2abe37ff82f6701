"""Whole-process benchmark of cnncalc against its import floor (issue 5's targets).

Run from the checkout: ``python benchmarks/run.py`` (``--help`` for options). Not part of the test
suite: it takes a few minutes and its figures depend on the machine.

Conventions (see docs/performance.md):
- Every case is a whole process started with this interpreter (``python -m cnncalc ...``), stdout to
  a pipe that the harness drains, stderr discarded. One warm-up run, then ``--runs`` timed runs; the
  fast cases run round-robin so drift hits numerator and denominator alike.
- Wall time is ``perf_counter`` from spawn to reap; peak RSS is each child's own maximum resident
  set (``ru_maxrss``) as GNU time (``/usr/bin/time -f %M``) reports it. Every command runs under
  that same wrapper, floors included, so its ~1 ms is on both sides of each ratio.
- Children share one environment: the checkout first on ``PYTHONPATH`` and bytecode caching on, in a
  private ``PYTHONPYCACHEPREFIX`` (as an installed package has ``.pyc`` files), so neither cnncalc
  nor
  the floor recompiles its sources on each run.
- The large specs are generated into a temporary directory; nothing in the checkout is written.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESNET50 = ROOT / "architectures" / "resnet50.yaml"
TORCH_PYTHON = "/work/torchref/venv/bin/python"
TORCHINFO = (
    "import torch, torchvision, torchinfo; torchinfo.summary(torchvision.models.resnet50(),"
    " input_size=(1, 3, 224, 224), depth=10, verbose=0).__str__()"
)
MB = 1e6
GNU_TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Case:
    """One command, measured as a whole process."""

    name: str
    argv: list[str]


@dataclass
class Runs:
    """The timed runs of one case."""

    case: Case
    seconds: list[float]
    peak_bytes: list[int]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> float:
        """Half the range (max - min) / 2, the +/- shown next to the median."""
        return (max(self.seconds) - min(self.seconds)) / 2

    @property
    def peak(self) -> int:
        return max(self.peak_bytes)


def run_once(argv: Sequence[str], env: dict[str, str], scratch: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in bytes and exit code of one process, stdout drained from a pipe.

    Peak RSS comes from GNU time's ``%M`` (the child's own ``ru_maxrss``, read with ``wait4`` by a
    small C parent). Read directly by this harness it would be wrong: Linux keeps a process's RSS
    high-water mark across fork and exec, so every child would start at the harness's own size.
    """
    report = scratch / "rss.txt"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [GNU_TIME, "-f", "%M", "-o", str(report), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    while proc.stdout.read(1 << 16):
        pass
    code = proc.wait()
    elapsed = time.perf_counter() - start
    proc.stdout.close()
    lines = report.read_text(encoding="utf-8").split()
    return elapsed, int(lines[-1]) * 1024, code  # %M is in KiB


def measure(
    cases: Sequence[Case], runs: int, env: dict[str, str], scratch: Path, log: Callable[[str], None]
) -> dict[str, Runs]:
    """One warm-up each, then ``runs`` rounds over all ``cases`` in turn."""
    results = {case.name: Runs(case, [], []) for case in cases}
    for case in cases:
        _, _, code = run_once(case.argv, env, scratch)
        if code != 0:
            stderr = subprocess.run(
                case.argv, capture_output=True, text=True, env=env, check=False
            ).stderr
            raise SystemExit(
                f"{case.name}: exit code {code} from {' '.join(case.argv)}\n{stderr[-2000:]}"
            )
    for round_number in range(runs):
        for case in cases:
            seconds, peak, _ = run_once(case.argv, env, scratch)
            results[case.name].seconds.append(seconds)
            results[case.name].peak_bytes.append(peak)
        log(f"  round {round_number + 1}/{runs} done")
    return results


# -- generated specs -------------------------------------------------------------------------------
def sequential_spec(layers: int) -> str:
    """A plain chain at the top level, no blocks: conv, bn and relu items, each repeated, 100 layers
    a group of three items (8x8x16 kept throughout). Spec files are capped at 1 MB and 100,000
    YAML nodes (``source.py``), so 100,000 layers cannot be written one item each."""
    lines = [f"name: seq{layers}", "input: 8x8x16", "layers:"]
    for _ in range(layers // 100):
        lines += [
            "  - conv: {filters: 16, kernel: 3, pad: 1, bias: false, repeat: 33}",
            "  - bn: {repeat: 33}",
            "  - relu: {repeat: 34}",
        ]
    return "\n".join(lines) + "\n"


def branched_spec(layers: int) -> str:
    """Residual units of 10 layers: a named conv, an ``add`` over a two-conv branch and the
    identity, a named relu, a ``concat`` of the two by name and a 1x1 conv back to ``width``
    channels. A ``stage`` block repeats the unit and the top level repeats the stage, so
    expansion binds arguments, prefixes names in nested scopes and resolves references at scale."""
    return f"""name: branched{layers}
input: 8x8x16
blocks:
  unit:
    args: {{width: 16}}
    layers:
      - conv: {{filters: width, kernel: 3, pad: 1, name: c}}
      - add:
          - [{{conv: {{filters: width, kernel: 3, pad: 1, bias: false}}}}, bn, relu, {{conv:
          {{filters: width, kernel: 3, pad: 1, bias: false}}}}, bn]
          - []
      - relu: {{name: r}}
      - concat: {{inputs: [c, r]}}
      - conv: {{filters: width, kernel: 1}}
  stage:
    args: {{units: 1}}
    layers:
      - unit: {{repeat: units}}
layers:
  - stage: {{units: {layers // 100}, repeat: 10}}
"""


def check_specs(folder: Path, count: int) -> None:
    """``count`` distinct ResNet-50-size specs: resnet50's text with the classifier width varied."""
    text = RESNET50.read_text(encoding="utf-8")
    assert "fc: 1000" in text
    folder.mkdir()
    for i in range(count):
        (folder / f"net{i:04d}.yaml").write_text(
            text.replace("fc: 1000", f"fc: {1000 + i}").replace(
                "name: resnet50", f"name: net{i:04d}"
            ),
            encoding="utf-8",
        )


# -- report ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    limit: str
    ok: bool | None  # None: not measured


def ratio(target: str, value: float, floor: float, limit: float) -> Verdict:
    return Verdict(target, f"{value / floor:.2f}x", f"<= {limit}x", value <= limit * floor)


def machine() -> list[str]:
    def out(argv: list[str]) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in out(["lscpu"]).splitlines()
            if line.startswith("Model name")
        ),
        platform.processor(),
    )
    mem = next(
        (line.split()[1] for line in out(["free", "-g"]).splitlines() if line.startswith("Mem:")),
        "?",
    )
    revision = out(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]).strip()
    return [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        (
            f"machine: {os.cpu_count()} CPUs ({model}), {mem} GB RAM, {platform.system()}"
            f" {platform.release()}"
        ),
        (
            f"python: {platform.python_implementation()} {platform.python_version()}"
            f" ({sys.executable})"
        ),
        f"command: python benchmarks/run.py {' '.join(sys.argv[1:])}".rstrip(),
        f"code: {revision or 'unknown revision'}",
    ]


def table(header: list[str], body: list[list[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def runs_table(results: dict[str, Runs]) -> str:
    body = [
        [
            r.case.name,
            f"{r.median * 1000:,.1f}",
            f"± {r.spread * 1000:,.1f}",
            f"{r.peak / MB:,.1f}",
            " ".join(_short(r.case.argv)),
        ]
        for r in results.values()
    ]
    return table(["case", "median ms", "spread ms", "peak RSS MB", "command"], body)


def _short(argv: list[str]) -> list[str]:
    return [
        "python" if i == 0 else (Path(a).name if os.sep in a else a) for i, a in enumerate(argv)
    ]


def verdict_table(verdicts: list[Verdict]) -> str:
    body = [
        [v.target, v.measured, v.limit, "-" if v.ok is None else ("PASS" if v.ok else "FAIL")]
        for v in verdicts
    ]
    return table(["target", "measured", "limit", "result"], body)


def imports_rich(python: str, env: dict[str, str]) -> bool:
    """Whether ``show resnet50 --format json`` imports any ``rich`` module (``-X importtime``)."""
    proc = subprocess.run(
        [python, "-X", "importtime", "-m", "cnncalc", "show", "resnet50", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return any(
        line.rsplit("|", 1)[-1].strip().split(".")[0] == "rich"
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    )


def torch_available(python: str) -> bool:
    if not Path(python).exists():
        return False
    probe = subprocess.run(
        [python, "-c", "import torch, torchvision, torchinfo"], capture_output=True, check=False
    )
    return probe.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=11, help="timed runs of each fast case (default 11)"
    )
    parser.add_argument(
        "--large-runs", type=int, default=5, help="timed runs of each large-spec case (default 5)"
    )
    parser.add_argument(
        "--check-specs",
        type=int,
        default=1000,
        help="ResNet-50-size specs for the check case (default 1000)",
    )
    parser.add_argument(
        "--layers",
        type=int,
        default=100_000,
        help="layers of the large generated specs (default 100000; the small ones have a tenth)",
    )
    parser.add_argument(
        "--torch-python",
        default=TORCH_PYTHON,
        help=(
            f"interpreter with torch, torchvision and torchinfo (default {TORCH_PYTHON}); '' to"
            " skip"
        ),
    )
    parser.add_argument(
        "--torch-runs", type=int, default=3, help="timed runs of the torchinfo case (default 3)"
    )
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    python = sys.executable
    if not Path(GNU_TIME).exists():
        raise SystemExit(f"{GNU_TIME} (GNU time) is needed for peak RSS: apt-get install time")
    with tempfile.TemporaryDirectory(prefix="cnncalc-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        env.pop("COLUMNS", None)

        small = args.layers // 10
        specs = {
            f"seq{small}": sequential_spec(small),
            f"seq{args.layers}": sequential_spec(args.layers),
            f"branched{small}": branched_spec(small),
            f"branched{args.layers}": branched_spec(args.layers),
        }
        for name, text in specs.items():
            (tmp / f"{name}.yaml").write_text(text, encoding="utf-8")
        from cnncalc.library import (
            builtin_path,
        )  # the checkout's, via sys.path[0] = benchmarks/.. below

        deep = "resnet152" if builtin_path("resnet152") else "resnet50"
        if deep != "resnet152":
            log("resnet152 is not built in: target 4 measures resnet50 instead")
        check_specs(tmp / "specs", args.check_specs)

        cnncalc = [python, "-m", "cnncalc"]
        fast = [
            Case("floor: import click, yaml", [python, "-c", "import click, yaml"]),
            Case(
                "floor: import click, yaml, rich.console, rich.table",
                [python, "-c", "import click, yaml, rich.console, rich.table"],
            ),
            Case("show resnet50 --format json", [*cnncalc, "show", "resnet50", "--format", "json"]),
            Case("show resnet50", [*cnncalc, "show", "resnet50"]),
            Case(f"show {deep}", [*cnncalc, "show", deep]),
        ]
        large = [Case(f"check {args.check_specs} specs", [*cnncalc, "check", str(tmp / "specs")])]
        # --max-layers: the default cap (expand.MAX_LAYERS) may be below the large specs' size
        large += [
            Case(
                f"show {name} --format json",
                [
                    *cnncalc,
                    "show",
                    str(tmp / f"{name}.yaml"),
                    "--format",
                    "json",
                    "--max-layers",
                    str(args.layers),
                ],
            )
            for name in specs
        ]

        log(f"fast cases: {len(fast)} x (1 + {args.runs}) runs")
        results = measure(fast, args.runs, env, tmp, log)
        log(f"large cases: {len(large)} x (1 + {args.large_runs}) runs")
        results |= measure(large, args.large_runs, env, tmp, log)
        torch = torch_available(args.torch_python) if args.torch_python else False
        if torch:
            log(f"torchinfo case: 1 + {args.torch_runs} runs")
            results |= measure(
                [Case("torchinfo.summary(resnet50)", [args.torch_python, "-c", TORCHINFO])],
                args.torch_runs,
                env,
                tmp,
                log,
            )
        else:
            log(
                "torchinfo case skipped: no torch, torchvision and torchinfo at"
                f" {args.torch_python!r}"
            )
        rich_imported = imports_rich(python, env)

    r = results
    floor_json, floor_table = (
        r["floor: import click, yaml"],
        r["floor: import click, yaml, rich.console, rich.table"],
    )
    show_json, show_table = r["show resnet50 --format json"], r["show resnet50"]
    checked = r[f"check {args.check_specs} specs"]
    per_spec_ms = checked.median * 1000 / args.check_specs
    verdicts = [
        ratio(
            "1. show resnet50 (table, piped) / floor with rich",
            show_table.median,
            floor_table.median,
            1.25,
        ),
        ratio("1. show resnet50 --format json / floor", show_json.median, floor_json.median, 1.25),
        Verdict(
            "1. show --format json imports rich",
            "yes" if rich_imported else "no",
            "no",
            not rich_imported,
        ),
        Verdict(
            f"2. check, per spec ({args.check_specs} in one process)",
            f"{per_spec_ms:.2f} ms",
            "<= 2 ms",
            per_spec_ms <= 2,
        ),
    ]
    for family in ("seq", "branched"):
        big, little = (
            r[f"show {family}{args.layers} --format json"],
            r[f"show {family}{small} --format json"],
        )
        label = f"3. {family}{args.layers}"
        verdicts += [
            Verdict(f"{label} time", f"{big.median:.2f} s", "<= 3 s", big.median <= 3),
            Verdict(
                f"{label} peak RSS", f"{big.peak / MB:.0f} MB", "<= 300 MB", big.peak <= 300 * MB
            ),
            ratio(f"{label} / {family}{small} time", big.median, little.median, 12),
        ]
    shown = r[f"show {deep}"]
    verdicts.append(
        ratio(f"4. show {deep} peak RSS / floor with rich", shown.peak, floor_table.peak, 1.3)
    )
    if torch:
        speedup = r["torchinfo.summary(resnet50)"].median / show_table.median
        verdicts.append(
            Verdict(
                "speed-up of show resnet50 over torchinfo.summary(resnet50)",
                f"{speedup:.0f}x",
                "(information)",
                None,
            )
        )

    print("\n".join(f"- {line}" for line in machine()))
    print()
    print(runs_table(results))
    print()
    print(verdict_table(verdicts))
    failed = [v for v in verdicts if v.ok is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
