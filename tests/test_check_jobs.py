"""``check --jobs``: worker processes give the same document, byte for byte, as one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli
from cnncalc.parallel import available_cores, ordered_map

ARCHITECTURES = Path(__file__).resolve().parent.parent / "architectures"
HOSTILE = Path(__file__).resolve().parent / "hostile"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sound built-ins and hostile cases, interleaved by name: passes and failures alternate."""
    root = tmp_path_factory.mktemp("specs")
    for n, path in enumerate(sorted(ARCHITECTURES.glob("*.yaml"))[:20]):
        shutil.copy(path, root / f"{n:02d}a_{path.name}")
    for n, path in enumerate(sorted(HOSTILE.glob("*.yaml"))[:20]):
        shutil.copy(path, root / f"{n:02d}b_{path.name}")
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_workers_write_what_one_process_writes(folder: Path, fmt: str) -> None:
    one = CliRunner().invoke(cli, ["check", str(folder), "--format", fmt, "--jobs", "1"])
    many = CliRunner().invoke(cli, ["check", str(folder), "--format", fmt, "--jobs", "3"])
    assert one.exit_code == many.exit_code == 1
    assert many.stdout == one.stdout
    assert "40 specs checked" in one.stdout or fmt != "text"


def test_jobs_is_a_bounded_count() -> None:
    result = CliRunner().invoke(cli, ["check", "architectures", "--jobs", "0"])
    assert result.exit_code == 2


def _square(n: int) -> int:
    return n * n


@pytest.mark.parametrize("jobs", [1, 2])
def test_ordered_map_keeps_the_order_of_its_inputs(jobs: int) -> None:
    assert list(ordered_map(_square, range(50), jobs, ahead=3)) == [n * n for n in range(50)]


def test_available_cores_are_the_affinity_mask() -> None:
    """The cores this process may run on, not the machine's: a container or ``taskset`` limits
    them."""
    import os

    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert available_cores() == expected
