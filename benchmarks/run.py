"""Whole-process benchmark of cnncalc against its floors, in a clean virtual environment (issue 16).

Run from the checkout: ``python benchmarks/run.py`` (``--help`` for options; docs/performance.md
for the method). Not part of the test suite: it takes about ten minutes and its figures depend on
the machine and on what else runs on it. Only the standard library is imported, so any Python
with pip (22.3 or later, for ``pip --python``) can run it.

What it does:
- Installs the checkout with ``pip install .`` into a virtual environment made with
  ``python -m venv --without-pip`` under ``~/.cache/cnncalc-bench/venv-<digest>`` (the digest
  covers the interpreter and every file the install reads, so an unchanged checkout reuses it).
  pip compiles the bytecode, as it does for a user; no ``.pth`` file of this machine's
  interpreter is on that environment's path. The floors run with its ``python``, the cnncalc
  cases with its ``cnncalc`` script, in an environment without any ``PYTHON*`` variable.
- Runs each comparison as pairs, case then floor (cnncalc, floor, cnncalc, floor, ...), so a slow
  moment of the machine hits both members of a pair. Each pair gives a ratio; reported are the
  median of the ratios, their interquartile range and their range.
- Measures each process's CPU time (user + system, from ``os.wait4``), its wall time (spawn to
  reap) and its peak RSS (GNU time's ``%M``: the command's own ``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import datetime
import fcntl
import functools
import hashlib
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESNET50 = ROOT / "architectures" / "resnet50.yaml"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cnncalc-bench"
TORCH_PYTHON = "/work/torchref/venv/bin/python"
GNU_TIME = "/usr/bin/time"
MB = 1e6
#: The interpreter a virtual environment made now is based on (this one's, outside any venv).
BASE_PYTHON: str = getattr(sys, "_base_executable", sys.executable)
#: What ``pip install .`` reads (``pyproject.toml``'s wheel targets and metadata).
INSTALLED = ("pyproject.toml", "README.md", "cnncalc", "architectures")

#: The floors: Python starting and importing what cnncalc itself needs.
FLOOR_RICH = "import click, yaml, rich.console, rich.table"
FLOOR_JSON = "import click, yaml"
#: The floor of ``check``: composing the same files with PyYAML's C loader in one process.
FLOOR_COMPOSE = (
    "import pathlib, sys, yaml\n"
    "for path in sorted(pathlib.Path(sys.argv[1]).glob('*.yaml')):\n"
    "    yaml.compose(path.read_text(encoding='utf-8'), Loader=yaml.CSafeLoader)\n"
)
#: The peers, each a whole process over torchvision's ResNet-50 (target 5).
PEERS = {
    "torchinfo": (
        "import torch, torchvision, torchinfo\n"
        "str(torchinfo.summary(torchvision.models.resnet50(), input_size=(1, 3, 224, 224),"
        " depth=10, verbose=0))\n"
    ),
    "ptflops": (
        "import torch, torchvision, ptflops\n"
        "ptflops.get_model_complexity_info(torchvision.models.resnet50(), (3, 224, 224),"
        " as_strings=True, print_per_layer_stat=True)\n"
    ),
    "fvcore": (
        "import torch, torchvision\n"
        "from fvcore.nn import FlopCountAnalysis, flop_count_table\n"
        "model = torchvision.models.resnet50().eval()\n"
        "print(flop_count_table(FlopCountAnalysis(model, torch.randn(1, 3, 224, 224))))\n"
    ),
}


# -- the clean environment -------------------------------------------------------------------------
def source_digest(root: Path) -> str:
    """A digest of the interpreter and of every file ``pip install .`` reads from ``root``."""
    digest = hashlib.sha256(f"{sys.version}\0{BASE_PYTHON}\0".encode())
    for top in INSTALLED:
        start = root / top
        paths = [start] if start.is_file() else sorted(start.rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def venv_path(root: Path, cache: Path) -> Path:
    return cache / f"venv-{source_digest(root)}"


def clean_venv(root: Path, cache: Path, log: Callable[[str], None]) -> Path:
    """The virtual environment with ``root`` installed, made on first use and reused after.

    A lock keeps two benchmarks from building the same one; ``complete`` is written last, so an
    interrupted build is removed and made again."""
    cache.mkdir(parents=True, exist_ok=True)
    venv = venv_path(root, cache)
    with (cache / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / "complete").exists():
            log(f"reusing {venv}")
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        log(f"creating {venv} (python -m venv, pip install .)")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        # pip of this interpreter installs into the new one (--python), which has no pip of its own
        pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
        subprocess.run([*pip, "install", "--quiet", str(root)], check=True)
        (venv / "complete").write_text("", encoding="utf-8")
    return venv


def child_environment() -> dict[str, str]:
    """This process's environment without ``PYTHON*`` variables (a path, no bytecode writing, a
    cache prefix: none is in a fresh shell) and without a terminal size."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTHON") and key not in {"COLUMNS", "LINES"}
    }


# -- measuring -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One command, measured as a whole process."""

    name: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    """One run of a case."""

    wall: float  # seconds, spawn to reap
    cpu: float  # seconds, user + system
    rss: float  # peak resident set, bytes


class Refused(Exception):
    """A case exited with a non-zero code: the command refused or failed."""

    def __init__(self, case: Case, code: int, reason: str) -> None:
        super().__init__(f"{case.name}: exit {code}: {reason}")
        self.reason = reason


def first_problem(stderr: str) -> str:
    """The line of ``stderr`` that says why: the first diagnostic (``E007 ...``), else the last
    line (an ``Error:`` from click, a traceback's exception)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    found = next((line for line in lines if re.search(r"\b[EW]\d{3}\b", line)), None)
    return (found or (lines[-1] if lines else "no message"))[:200]


def run_once(case: Case, env: dict[str, str], scratch: Path) -> Sample:
    """One run of ``case``, its stdout drained from a pipe as a reader would, stderr kept aside.

    CPU time comes from ``os.wait4`` on GNU time, which waits for the command: its own ~0.7 ms of
    CPU is in every sample, floors included. Peak RSS cannot come from ``wait4`` too: Linux
    carries the RSS high-water mark of the parent's memory across ``fork`` and ``exec``, so every
    child would start at the harness's size; GNU time's ``%M`` is the command's own, started from
    GNU time's ~2 MB."""
    rss_file, err_file = scratch / "rss.txt", scratch / "stderr.txt"
    with err_file.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [GNU_TIME, "-f", "%M", "-o", str(rss_file), *case.argv],
            stdout=subprocess.PIPE,
            stderr=err,
            env=env,
        )
        assert proc.stdout is not None
        while proc.stdout.read(1 << 16):
            pass
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        stderr = err_file.read_text(encoding="utf-8", errors="replace")
        raise Refused(case, proc.returncode, first_problem(stderr))
    kib = int(rss_file.read_text(encoding="utf-8").split()[-1])
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss=kib * 1024)


@dataclass(frozen=True)
class Pairing:
    """A case against its reference, run in pairs: ``case``, ``reference``, ``case``, ..."""

    key: str  # what --only selects by prefix, e.g. "1-json"
    case: Case
    reference: Case
    pairs: int
    warm_up: bool = True  # one untimed run of each first (bytecode and page cache)


@dataclass
class Measured:
    """The samples of a pairing, or why it could not be measured."""

    pairing: Pairing
    case: list[Sample] = field(default_factory=list)
    reference: list[Sample] = field(default_factory=list)
    refused: str | None = None

    def ratios(self, figure: Callable[[Sample], float]) -> list[float]:
        return pair_ratios(self.case, self.reference, figure)


def pair_ratios(
    case: Sequence[Sample], reference: Sequence[Sample], figure: Callable[[Sample], float]
) -> list[float]:
    """``figure`` of each case run over that of the reference run paired with it."""
    return [figure(a) / figure(b) for a, b in zip(case, reference, strict=True)]


def measure(
    pairing: Pairing, env: dict[str, str], scratch: Path, log: Callable[[str], None]
) -> Measured:
    """Run ``pairing``; a refusal by either side ends it, recorded with its reason."""
    measured = Measured(pairing)
    log(f"{pairing.key}: {pairing.case.name} / {pairing.reference.name}, {pairing.pairs} pairs")
    try:
        if pairing.warm_up:
            run_once(pairing.case, env, scratch)
            run_once(pairing.reference, env, scratch)
        for _ in range(pairing.pairs):
            measured.case.append(run_once(pairing.case, env, scratch))
            measured.reference.append(run_once(pairing.reference, env, scratch))
    except Refused as refusal:
        log(f"  {refusal}")
        measured.refused = refusal.reason.replace(f"{scratch}{os.sep}", "")  # the file's name
    return measured


# -- figures ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spread:
    """The median of some figures, their quartiles and their range."""

    median: float
    q1: float
    q3: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """Quartiles by the inclusive method (linear between order statistics, as
        ``numpy.percentile``'s default), so one or two values are their own quartiles."""
        if not values:
            raise ValueError("no values")
        q1, _, q3 = (
            statistics.quantiles(values, n=4, method="inclusive")
            if len(values) > 1
            else (values[0],) * 3
        )
        return cls(statistics.median(values), q1, q3, min(values), max(values))


@dataclass(frozen=True)
class Limit:
    """A target's bound on a median."""

    value: float
    unit: str
    upper: bool = True  # at most (else at least)

    def holds(self, median: float) -> bool:
        return median <= self.value if self.upper else median >= self.value

    def __str__(self) -> str:
        unit = self.unit if self.unit == "x" else f" {self.unit}"
        return f"{'<=' if self.upper else '>='} {self.value:g}{unit}"


@dataclass(frozen=True)
class Verdict:
    """One line of the targets table: a figure against its limit, or information (no limit)."""

    target: str
    measure: str
    figure: Spread | None  # None: not measured, for the reason in ``note``
    unit: str
    limit: Limit | None = None
    note: str = ""

    @property
    def ok(self) -> bool | None:
        """None for information; a target that could not be measured fails."""
        if self.limit is None:
            return None
        return self.figure is not None and self.limit.holds(self.figure.median)

    @property
    def result(self) -> str:
        return "-" if self.ok is None else ("PASS" if self.ok else "FAIL")


def cpu(sample: Sample) -> float:
    return sample.cpu


def wall(sample: Sample) -> float:
    return sample.wall


def rss(sample: Sample) -> float:
    return sample.rss


#: The figures of a sample, by the name the tables give them.
FIGURES: dict[str, Callable[[Sample], float]] = {"CPU": cpu, "wall": wall, "peak RSS": rss}


def compare(
    target: str, label: str, measured: Measured, shown: dict[str, Limit | None]
) -> list[Verdict]:
    """A verdict on the pairwise ratios of ``measured`` for each figure named in ``shown``,
    against its limit (None: information). When a side refused, each limited figure fails with
    the reason."""
    if measured.refused is not None:
        return [
            Verdict(target, f"{label}, {name}", None, "x", limit, f"refused: {measured.refused}")
            for name, limit in shown.items()
            if limit is not None
        ]
    return [
        Verdict(target, f"{label}, {name}", Spread.of(measured.ratios(FIGURES[name])), "x", limit)
        for name, limit in shown.items()
    ]


def absolute(target: str, label: str, samples: Sequence[Sample]) -> list[Verdict]:
    """Target 3's bounds on one case's own CPU time (3 s) and peak RSS (300 MB), wall beside."""
    return [
        Verdict(target, f"{label}, CPU", Spread.of([s.cpu for s in samples]), "s", Limit(3, "s")),
        Verdict(target, f"{label}, wall", Spread.of([s.wall for s in samples]), "s"),
        Verdict(
            target,
            f"{label}, peak RSS",
            Spread.of([s.rss / MB for s in samples]),
            "MB",
            Limit(300, "MB"),
        ),
    ]


# -- generated inputs ------------------------------------------------------------------------------
def sequential_spec(layers: int) -> str:
    """A plain chain at the top level, no blocks: conv, bn and relu items, each repeated, 100 layers
    a group of three items (8x8x16 kept throughout). Spec files are capped at 1 MB and 50,000
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


def caffe_net(layers: int) -> str:
    """A Caffe prototxt of residual units of 10 layers (three 3x3 convolutions, the first two with
    in-place BatchNorm, Scale and ReLU, and an Eltwise sum with the unit's input), 8x8x16 kept
    throughout. Caffe has no repeat, so every layer is written out."""

    def conv(name: str, bottom: str) -> str:
        return (
            f'layer {{ name: "{name}" type: "Convolution" bottom: "{bottom}" top: "{name}"'
            " convolution_param { num_output: 16 kernel_size: 3 pad: 1 bias_term: false } }"
        )

    def in_place(kind: str, name: str, top: str) -> str:
        return f'layer {{ name: "{name}" type: "{kind}" bottom: "{top}" top: "{top}" }}'

    lines = [
        f'name: "caffe{layers}"',
        'input: "x0"',
        "input_shape { dim: 1 dim: 16 dim: 8 dim: 8 }",
    ]
    for unit in range(1, layers // 10 + 1):
        before = f"x{unit - 1}"
        for conv_name, bottom in ((f"a{unit}", before), (f"b{unit}", f"a{unit}")):
            lines.append(conv(conv_name, bottom))
            lines += [
                in_place(kind, f"{conv_name}{kind}", conv_name)
                for kind in ("BatchNorm", "Scale", "ReLU")
            ]
        lines.append(conv(f"c{unit}", f"b{unit}"))
        lines.append(
            f'layer {{ name: "x{unit}" type: "Eltwise" bottom: "{before}" bottom: "c{unit}"'
            f' top: "x{unit}" }}'
        )
    return "\n".join(lines) + "\n"


def darknet_net(layers: int) -> str:
    """A darknet cfg of residual units of 10 layers: two batch-normalized convolutions with ReLU
    (3 layers each), a third without activation (2) and a ``[shortcut]`` to the unit's input with
    ReLU (2). A plain convolution first gives the first shortcut a layer to reach (darknet's
    ``from`` cannot name the input): ``layers + 1`` in all."""
    conv = "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\npad=1\nactivation={}\n"
    shortcut = "[shortcut]\nfrom=-4\nactivation=relu\n"
    unit = "\n".join([conv.format("relu"), conv.format("relu"), conv.format("linear"), shortcut])
    head = "[net]\nheight=8\nwidth=8\nchannels=16\n\n" + conv.format("linear").replace(
        "batch_normalize=1\n", ""
    )
    return head + "\n" + "\n".join([unit] * (layers // 10))


def diff_partner(text: str) -> str:
    """The same spec on a 9x9 input: every row of a diff then differs (output, MACs)."""
    assert "input: 8x8x16" in text
    return text.replace("input: 8x8x16", "input: 9x9x16", 1)


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


#: Generators of the large inputs by family, with the file extension each is read by.
FAMILIES: dict[str, tuple[Callable[[int], str], str]] = {
    "seq": (sequential_spec, "yaml"),
    "branched": (branched_spec, "yaml"),
    "caffe": (caffe_net, "prototxt"),
    "darknet": (darknet_net, "cfg"),
}


@dataclass
class Inputs:
    """The generated files, each written on first use into ``folder``."""

    folder: Path

    def network(self, family: str, layers: int, *, partner: bool = False) -> Path:
        make, extension = FAMILIES[family]
        path = self.folder / f"{family}{layers}{'-b' if partner else ''}.{extension}"
        if not path.exists():
            text = make(layers)
            path.write_text(diff_partner(text) if partner else text, encoding="utf-8")
        return path

    def specs(self, count: int) -> Path:
        folder = self.folder / f"specs{count}"
        if not folder.exists():
            check_specs(folder, count)
        return folder


# -- the run ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    """Pair counts and sizes of one run."""

    pairs: int  # targets 1 and 4: the fast cases
    check_pairs: int
    large_pairs: int
    peer_pairs: int
    check_specs: int
    layers: int


def display(argv: Sequence[str]) -> str:
    """A command line as the tables show it: programs and files by their base names."""
    return " ".join(Path(word).name if os.sep in word else word for word in argv)


def workers() -> int:
    """The cores this process may run on (the default ``check --jobs`` is to have)."""
    return len(os.sched_getaffinity(0))


#: Target 3's commands over a generated file (``{file}``; ``{partner}``, the same network on a
#: larger input, for diff).
COMMANDS: dict[str, tuple[str, ...]] = {
    "json": ("show", "{file}", "--format", "json"),
    "table": ("show", "{file}"),
    "rf": ("show", "{file}", "--rf"),
    "diff": ("diff", "{file}", "{partner}"),
    "graph": ("graph", "{file}"),
    "profile": ("profile", "{file}"),
}
#: Which commands run over which generated family: every one over the YAML specs, and ``show``
#: over each importer's format.
GROWTH = [(family, command) for family in ("seq", "branched") for command in COMMANDS] + [
    ("caffe", "json"),
    ("darknet", "json"),
]


class Run:
    """The steps of one benchmark run, each a pairing (or a few) and the verdicts drawn from it."""

    def __init__(
        self,
        venv: Path,
        torch_python: str,
        scale: Scale,
        inputs: Inputs,
        scratch: Path,
        log: Callable[[str], None],
    ) -> None:
        self.python, self.cnncalc = str(venv / "bin" / "python"), str(venv / "bin" / "cnncalc")
        self.torch_python, self.scale, self.inputs = torch_python, scale, inputs
        self.scratch, self.log = scratch, log
        self.env = child_environment()
        self.results: list[Measured] = []
        self._help: dict[str, str] = {}

    def steps(self) -> dict[str, Callable[[], list[Verdict]]]:
        """Every step by its key (what ``--only`` selects by prefix), in the order they run."""
        fast, check = self.scale.pairs, self.scale.check_pairs
        rich_floor, json_floor = self.floor(FLOOR_RICH), self.floor(FLOOR_JSON)
        table, as_json = (
            self.ours("show", "resnet50"),
            self.ours("show", "resnet50", "--format", "json"),
        )
        steps: dict[str, Callable[[], list[Verdict]]] = {
            "1-table": lambda: self.compared(
                "1",
                "show resnet50 / floor with rich",
                Pairing("1-table", table, rich_floor, fast),
                {"CPU": Limit(1.15, "x"), "wall": None},
            ),
            "1-json": lambda: self.compared(
                "1",
                "show resnet50 --format json / floor",
                Pairing("1-json", as_json, json_floor, fast),
                {"CPU": Limit(1.25, "x"), "wall": None},
            ),
            "4-rss": lambda: self.compared(
                "4",
                "show resnet152 / floor with rich",
                Pairing("4-rss", self.ours("show", "resnet152"), rich_floor, fast),
                {"peak RSS": Limit(1.3, "x")},
            ),
            "2-check": lambda: self.compared(
                "2",
                f"check {self.scale.check_specs} specs in one process / compose",
                Pairing("2-check", self.serial_check(), self.compose_floor(), check),
                {"CPU": Limit(5, "x"), "wall": None},
            ),
            "2-jobs": self.parallel_check,
        }
        for family, command in GROWTH:
            steps[f"3-{command}-{family}"] = functools.partial(self.growth, family, command)
        for peer in PEERS:
            steps[f"5-{peer}"] = functools.partial(self.peer, peer)
        return steps

    # cases ----------------------------------------------------------------------------------------
    def floor(self, code: str, *args: str, name: str = "") -> Case:
        return Case(name or f"floor: {code}", (self.python, "-c", code, *args))

    def ours(self, *args: str) -> Case:
        return Case(display([self.cnncalc, *args]), (self.cnncalc, *args))

    def specs(self) -> Path:
        return self.inputs.specs(self.scale.check_specs)

    def compose_floor(self) -> Case:
        return self.floor(
            FLOOR_COMPOSE,
            str(self.specs()),
            name=f"floor: compose {self.scale.check_specs} specs (CSafeLoader)",
        )

    def supports(self, command: str, option: str) -> bool:
        """Whether ``cnncalc COMMAND --help`` lists ``option``."""
        if command not in self._help:
            self._help[command] = subprocess.run(
                [self.cnncalc, command, "--help"],
                capture_output=True,
                text=True,
                env=self.env,
                check=True,
            ).stdout
        return (
            re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", self._help[command]) is not None
        )

    def network_case(self, family: str, command: str, layers: int) -> Case:
        words = COMMANDS[command]
        files = {"file": self.inputs.network(family, layers)}
        if "{partner}" in words:
            files["partner"] = self.inputs.network(family, layers, partner=True)
        argv = [word.format(**files) for word in words]
        if self.supports(words[0], "--max-layers"):
            argv += ["--max-layers", str(2 * layers)]  # a cap above the count: the default is lower
        return Case(display([self.cnncalc, *argv[: len(words)]]), (self.cnncalc, *argv))

    # steps ----------------------------------------------------------------------------------------
    def measured(self, pairing: Pairing) -> Measured:
        measured = measure(pairing, self.env, self.scratch, self.log)
        self.results.append(measured)
        return measured

    def compared(
        self, target: str, label: str, pairing: Pairing, shown: dict[str, Limit | None]
    ) -> list[Verdict]:
        return compare(target, label, self.measured(pairing), shown)

    def serial_check(self) -> Case:
        """``check`` in one process (``--jobs 1`` where workers exist: the CPU of workers and of
        their results' pickling is not the engine's)."""
        one = ("--jobs", "1") if self.supports("check", "--jobs") else ()
        return self.ours("check", *one, str(self.specs()))

    def parallel_check(self) -> list[Verdict]:
        """Target 2's parallel part: ``check --jobs N`` in wall time against the same floor."""
        jobs = workers()
        label = f"check --jobs {jobs} {self.scale.check_specs} specs / compose"
        if not self.supports("check", "--jobs"):
            reason = "not implemented: `cnncalc check --help` lists no --jobs"
            return [Verdict("2", f"{label}, wall", None, "x", Limit(3, "x"), reason)]
        case = self.ours("check", "--jobs", str(jobs), str(self.specs()))
        pairing = Pairing("2-jobs", case, self.compose_floor(), self.scale.check_pairs)
        return self.compared("2", label, pairing, {"wall": Limit(3, "x"), "CPU": None})

    def growth(self, family: str, command: str) -> list[Verdict]:
        """Target 3: 100,000 layers against 10,000, CPU at most 12x; for ``show --format json`` of
        the YAML families also the 100,000-layer case's own CPU time and peak RSS. When the
        command refuses a size, that fails, and the same growth is measured at a twentieth of the
        sizes (within the command's bounds) as information."""
        large = self.scale.layers
        measured = self.grown(family, command, large)
        label = f"{command} {family}: {large:,} / {large // 10:,} layers"
        verdicts = compare("3", label, measured, {"CPU": Limit(12, "x")})
        if measured.refused is None:
            if command == "json" and family in ("seq", "branched"):
                verdicts += absolute("3", f"{command} {family}: {large:,} layers", measured.case)
            return verdicts
        fallback = self.grown(family, command, large // 20)
        label = f"{command} {family}: {large // 20:,} / {large // 200:,} layers"
        return verdicts + (
            compare("3", label, fallback, {"CPU": None})
            or [Verdict("3", label, None, "x", note=f"refused: {fallback.refused}")]
        )

    def grown(self, family: str, command: str, layers: int) -> Measured:
        """``command`` over ``layers`` layers of ``family`` paired with a tenth of them."""
        return self.measured(
            Pairing(
                f"3-{command}-{family}",
                self.network_case(family, command, layers),
                self.network_case(family, command, layers // 10),
                self.scale.large_pairs,
                warm_up=False,  # the code ran in the cases before; each file was just written
            )
        )

    def peer(self, peer: str) -> list[Verdict]:
        """Target 5: a peer as a whole process over ResNet-50 against ``cnncalc show resnet50``:
        at least 30x the wall time and 25x the peak RSS for torchinfo; ptflops and fvcore beside,
        as information. Wall, not CPU, is judged: torch runs several threads."""
        label = f"{peer}(resnet50) / cnncalc show resnet50"
        module = "fvcore.nn" if peer == "fvcore" else peer
        limits = peer == "torchinfo"
        reason = ""
        if not self.torch_python or not Path(self.torch_python).exists():
            reason = f"not measured: no interpreter {self.torch_python!r}"
        elif subprocess.run(
            [self.torch_python, "-c", f"import torch, torchvision, {module}"],
            capture_output=True,
            check=False,
        ).returncode:
            reason = f"not measured: {self.torch_python} cannot import {module}"
        if reason:
            return [Verdict("5", label, None, "x", note=reason)]
        pairing = Pairing(
            f"5-{peer}",
            Case(f"{peer}(resnet50)", (self.torch_python, "-c", PEERS[peer])),
            self.ours("show", "resnet50"),
            self.scale.peer_pairs,
        )
        return self.compared(
            "5",
            label,
            pairing,
            {
                "wall": Limit(30, "x", upper=False) if limits else None,
                "peak RSS": Limit(25, "x", upper=False) if limits else None,
                "CPU": None,
            },
        )


# -- report ----------------------------------------------------------------------------------------
def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, markdown: bool) -> str:
    """Rows as a Markdown table, or as text in padded columns."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def number(value: float, unit: str) -> str:
    """A figure as the targets table writes it, without its unit."""
    if unit == "MB":
        return f"{value:,.0f}"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def verdict_rows(verdicts: Sequence[Verdict]) -> list[list[str]]:
    rows = []
    for v in verdicts:
        f = v.figure
        cells = ["-", "-", "-"]
        if f is not None:
            cells = [
                f"{number(f.median, v.unit)}{v.unit if v.unit == 'x' else ' ' + v.unit}",
                f"{number(f.q1, v.unit)}–{number(f.q3, v.unit)}",
                f"{number(f.low, v.unit)}–{number(f.high, v.unit)}",
            ]
        rows.append([v.target, v.measure, *cells, str(v.limit or "-"), v.result, v.note])
    return rows


def case_rows(results: Sequence[Measured]) -> list[list[str]]:
    """Each case once (a floor serves several pairings): runs, median CPU, wall and peak RSS."""
    samples: dict[str, list[Sample]] = {}
    for measured in results:
        samples.setdefault(measured.pairing.case.name, []).extend(measured.case)
        samples.setdefault(measured.pairing.reference.name, []).extend(measured.reference)
    return [
        [
            name,
            str(len(runs)),
            f"{statistics.median(s.cpu for s in runs) * 1000:,.1f}",
            f"{statistics.median(s.wall for s in runs) * 1000:,.1f}",
            f"{statistics.median(s.rss for s in runs) / MB:,.1f}",
        ]
        for name, runs in samples.items()
        if runs
    ]


def machine(venv: Path, torch_python: str) -> list[str]:
    """The lines that say where and what was measured."""

    def out(argv: list[str]) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()
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
    installed = out(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m, pathlib, site, yaml\n"
            "names = ('click', 'rich', 'pyyaml')\n"
            "folders = [pathlib.Path(d) for d in site.getsitepackages()]\n"
            "pth = sorted(p.name for d in folders for p in d.glob('*.pth'))\n"
            "libyaml = 'with' if yaml.__with_libyaml__ else 'without'\n"
            "print(', '.join(f'{n} {m.version(n)}' for n in names), f'{libyaml} libyaml;',\n"
            "      f\"{', '.join(pth) or 'no'} .pth files\")",
        ]
    )
    revision = out(["git", "-C", str(ROOT), "describe", "--always", "--dirty"])
    return [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {workers()} CPUs ({model}), {mem} GB RAM, {platform.system()}"
        f" {platform.release()}",
        f"python: {platform.python_implementation()} {platform.python_version()} ({BASE_PYTHON})",
        f"clean environment: {venv} ({installed})",
        f"peers: {torch_python or 'none'}",
        f"command: python benchmarks/run.py {shlex.join(sys.argv[1:])}".rstrip(),
        f"code: {revision or 'unknown revision'}",
    ]


def report(
    title: str,
    lines: Sequence[str],
    results: Sequence[Measured],
    verdicts: Sequence[Verdict],
    *,
    markdown: bool,
) -> str:
    cases = table(
        ["case", "runs", "CPU ms", "wall ms", "peak RSS MB"], case_rows(results), markdown=markdown
    )
    targets = table(
        ["target", "measure", "median", "IQR", "range", "limit", "result", "note"],
        verdict_rows(sorted(verdicts, key=lambda v: v.target)),
        markdown=markdown,
    )
    head = [f"## {title}", ""] if markdown else []
    return "\n".join([*head, *(f"- {line}" for line in lines), "", cases, "", targets])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--pairs", type=int, default=21, help="pairs of each fast case, targets 1 and 4 (21)")
    add("--check-pairs", type=int, default=5, help="pairs of each check case, target 2 (5)")
    add("--large-pairs", type=int, default=3, help="pairs of each large network, target 3 (3)")
    add("--peer-pairs", type=int, default=3, help="pairs of each peer, target 5 (3)")
    add("--check-specs", type=int, default=1000, help="spec files for check (1000)")
    add("--layers", type=int, default=100_000, help="layers of the large networks (100000)")
    add(
        "--quick",
        action="store_true",
        help="a smoke test: 3 fast pairs, 1 of the others, 100 specs, 10,000 layers",
    )
    add(
        "--only",
        nargs="+",
        metavar="KEY",
        default=[],
        help="steps whose key starts so (1-json, 3, 5-torchinfo, ...)",
    )
    add(
        "--torch-python",
        default=TORCH_PYTHON,
        help=f"interpreter with the peers ({TORCH_PYTHON}); '' skips them",
    )
    add("--cache", type=Path, default=CACHE, help=f"where clean environments are kept ({CACHE})")
    add("--markdown", action="store_true", help="print the section for benchmarks/RESULTS.md")
    add("--title", default="Run", help="its heading (with --markdown)")
    add("--list", action="store_true", help="list the step keys and exit")
    args = parser.parse_args(argv)
    scale = (
        Scale(3, 1, 1, 1, 100, 10_000)
        if args.quick
        else Scale(
            args.pairs,
            args.check_pairs,
            args.large_pairs,
            args.peer_pairs,
            args.check_specs,
            args.layers,
        )
    )

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    started = time.monotonic()
    if not Path(GNU_TIME).exists():
        raise SystemExit(f"{GNU_TIME} (GNU time) is needed for peak RSS: apt-get install time")
    if args.list:
        nowhere = Path(os.devnull)
        print("\n".join(Run(nowhere, "", scale, Inputs(nowhere), nowhere, log).steps()))
        return 0
    venv = clean_venv(ROOT, args.cache, log)
    with tempfile.TemporaryDirectory(prefix="cnncalc-bench-") as folder:
        scratch = Path(folder)
        run = Run(venv, args.torch_python, scale, Inputs(scratch), scratch, log)
        steps = run.steps()
        verdicts = [
            verdict
            for key, step in steps.items()
            if not args.only or any(key.startswith(prefix) for prefix in args.only)
            for verdict in step()
        ]
    print(
        report(
            args.title,
            machine(venv, args.torch_python),
            run.results,
            verdicts,
            markdown=args.markdown,
        )
    )
    return 1 if any(v.ok is False for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
