"""Guards for the performance work of benchmarks/run.py that time nothing, so they cannot flake:
which modules the fast paths import, and how the number of function calls grows with a network's
size (a quadratic step multiplies it by 100 when the network grows tenfold, a linear one by 10).

Calls are counted by cProfile, which sees every Python function and every call of a C builtin,
but not the work inside one C call: a scan hidden in ``name in some_list`` escapes it. The
benchmark's "100,000 layers at most 12x the time of 10,000" covers that side.
"""

from __future__ import annotations

import cProfile
import pstats
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cnncalc.api import analyze, loads
from cnncalc.expand import expand
from cnncalc.render.data import report_json
from tests.helpers import benchmark_module

#: Runs the CLI in a fresh interpreter, then lists the modules it imported on stderr.
PROBE = """
import sys
sys.argv = ["cnncalc", *sys.argv[1:]]
from cnncalc.cli import main
try:
    main()
finally:
    print("MODULES " + " ".join(sorted(sys.modules)), file=sys.stderr)
"""

#: Imported only where needed: rich by the table renderer, the others on error or rare paths.
LAZY = ("rich", "difflib", "csv", "cnncalc.diff", "importlib.metadata")


def imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.rsplit("MODULES ", 1)[1].split())


RESNET50 = str(Path(__file__).parent.parent / "architectures" / "resnet50.yaml")


@pytest.mark.parametrize(
    "args",
    [("show", "resnet50", "--format", "json"), ("check", RESNET50)],
    ids=["show-json", "check"],
)
def test_machine_paths_import_no_rendering_library(args: tuple[str, ...]) -> None:
    modules = imported(*args)
    assert "cnncalc.infer" in modules  # the probe did run the engine
    loaded = sorted(
        m
        for m in modules
        if m.split(".")[0] in LAZY or any(m == lazy or m.startswith(lazy + ".") for lazy in LAZY)
    )
    assert loaded == []


def test_table_path_imports_rich() -> None:
    """The probe can see rich when it is imported, so the test above is not vacuous."""
    assert "rich.console" in imported("show", "lenet5")


#: The benchmark's branched generator: residual units made by a block with ``repeat`` (nested
#: scopes, prefixed names, an ``add`` over a branch and the identity, a ``concat`` by name).
residual_spec: Callable[[int], str] = benchmark_module().branched_spec


def calls(work: Callable[[], object]) -> int:
    """Function calls (Python and C builtins) made by ``work``."""
    profile = cProfile.Profile()
    profile.runcall(work)
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined, no-any-return]


def growth(work: Callable[[int], object], small: int) -> float:
    """How many times more calls ``work`` makes for ten times the layers."""
    return calls(lambda: work(10 * small)) / calls(lambda: work(small))


def test_expansion_grows_linearly() -> None:
    """Blocks, repeats, scopes and name resolution: 20,000 layers cost ten times 2,000, not 100."""
    specs = {n: loads(residual_spec(n)) for n in (2_000, 20_000)}
    graph = expand(specs[2_000], max_layers=10**6)
    assert len(graph.nodes) == 2_000  # the spec has the size the ratio assumes
    assert growth(lambda n: expand(specs[n], max_layers=10**6), 2_000) < 12


#: The residual spec's input at each rank: a 3-D volume makes the numbers larger, not the work.
VOLUMES = {1: "64x16", 2: "8x8x16", 3: "4x8x8x16"}


def ranked_spec(n: int, rank: int) -> str:
    """:data:`residual_spec` of ``n`` layers on a volume of ``rank`` (its kernels are scalars,
    so the same text is a 1-D, 2-D or 3-D network)."""
    text = residual_spec(n)
    assert f"input: {VOLUMES[2]}\n" in text
    return text.replace(f"input: {VOLUMES[2]}\n", f"input: {VOLUMES[rank]}\n", 1)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_whole_show_grows_linearly(rank: int) -> None:
    """Parsing, expansion, inference, receptive fields, rows and JSON of 5,000 layers against
    500, at every rank."""
    texts = {n: ranked_spec(n, rank) for n in (500, 5_000)}
    assert str(loads(texts[500]).input) == VOLUMES[rank]
    assert growth(lambda n: report_json(analyze(loads(texts[n]), max_layers=10**6)), 500) < 12


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("view", ["show", "show --rf", "diff"])
def test_tables_grow_linearly(view: str, rank: int) -> None:
    """The rich paths too: show's table (with receptive fields) and diff's table of 5,000 layers
    against 500 (a table laid out by rich cell by cell took a minute for two 50,000-layer
    specs), at every rank."""
    from cnncalc.diff import diff
    from cnncalc.render.columns import COLUMNS
    from cnncalc.render.table import diff_lines, layer_lines

    reports = {n: analyze(loads(ranked_spec(n, rank)), max_layers=10**6) for n in (500, 5_000)}
    rf = tuple(c for c in COLUMNS if c.key in ("name", "output", "rf", "jump", "start", "macs"))
    views: dict[str, Callable[[int], object]] = {
        "show": lambda n: layer_lines(reports[n], COLUMNS, width=None),
        "show --rf": lambda n: layer_lines(reports[n], rf, width=None),
        "diff": lambda n: diff_lines(diff(reports[n], reports[n]), width=None),
    }
    assert growth(views[view], 500) < 12


def test_quadratic_growth_would_be_caught() -> None:
    """The measure can fail: a step that scans every earlier layer grows a hundredfold."""

    def quadratic(n: int) -> None:
        seen: list[int] = []
        for i in range(n):
            any(
                j == i for j in seen
            )  # a scan of the earlier ones, as a name lookup in a list would be
            seen.append(i)

    assert growth(quadratic, 200) > 50


def test_package_import_is_light() -> None:
    """``import cnncalc`` loads no engine module until a name is used (PEP 562)."""
    code = (
        "import sys, cnncalc; loaded = sorted(m for m in sys.modules if m.startswith('cnncalc'));"
        " print(loaded); cnncalc.analyze; print('cnncalc.api' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, second = out.stdout.splitlines()
    assert first == "['cnncalc']"
    assert second == "True"
