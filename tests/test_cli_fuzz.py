"""A fuzz pass over the command line of every command: options and arguments drawn from each
command's own parameters, with hostile values (huge, negative, non-ASCII digits, control
characters, empty, markup). Whatever the mix, cnncalc answers with an exit code it documents
(0, 1, 2; 3 only when output cannot be written, which cannot happen here) and never a traceback.
"""

from __future__ import annotations

import os

import click
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.cli import cli

EXAMPLES = int(os.environ.get("CNNCALC_HYPOTHESIS_EXAMPLES", "30"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

VALUES = st.sampled_from(
    [
        "1",
        "3",
        "0",
        "-1",
        "224x224x3",
        "7x7x1",
        "3x5",
        "1,2",
        "1,2,3,4",
        "same",
        "valid",
        "vgg16",
        "lenet5",
        "json",
        "markdown",
        "floor",
        str(10**400),
        "1e9",
        "৪",
        "²",
        "１",
        "\x1b[31m",
        "[/bold]",
        "",
        " ",
        "-",
        "v1=1",
        "v1=",
        "=1",
        "nope=1",
        "x" * 300,
        "../../etc/passwd",
        "/dev/zero",
    ]
)


def _options(command: click.Command) -> list[str]:
    return [name for p in command.params for name in p.opts if name.startswith("--")]


@SETTINGS
@given(data=st.data())
def test_every_command_survives_hostile_arguments(data: st.DataObject) -> None:
    assert isinstance(cli, click.Group)
    name = data.draw(st.sampled_from(sorted(cli.commands)))
    command = cli.commands[name]
    options = _options(command)
    args: list[str] = [name]
    for _ in range(data.draw(st.integers(0, 3))):
        args.append(data.draw(VALUES))
    for option in data.draw(st.lists(st.sampled_from(options), max_size=4)) if options else []:
        args.append(option)
        if data.draw(st.booleans()):
            args.append(data.draw(VALUES))
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"cnncalc {args!r} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output
