"""The options check and fix share, and the guard that turns usage problems and crashes into
exit code 2. Only click is imported here: `ce-lint --version` and `--help` load no engine, and
the choices of --class and --output-format are read when an option is given.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any

import click

USAGE_ERROR = 2


class LazyChoice(click.Choice):
    """A click.Choice whose choices are computed on first use."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        super().__init__(())
        self._load = load
        self._loaded: tuple[str, ...] | None = None

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        pass  # click.Choice.__init__ sets them; they are loaded on first use instead


def class_choices() -> list[str]:
    """--class: the libraries' arguments classes, and trl's that extend TrainingArguments."""
    from ..knowledge import Knowledge
    from ..model import ARGUMENT_CLASSES

    return [*ARGUMENT_CLASSES, *sorted(Knowledge.load().third_party_classes)]


def output_formats() -> list[str]:
    from ..report import format_names

    return format_names()


def _codes(values: tuple[str, ...]) -> list[str]:
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=str)),
        click.option("--select", multiple=True, help="Only these codes or prefixes (comma-separated)."),
        click.option("--extend-select", multiple=True, help="Add codes to the selection."),
        click.option("--ignore", multiple=True, help="Leave out these codes or prefixes."),
        click.option("--target", "targets", multiple=True, metavar="LIB==VERSION",
                     help="Judge against this release, e.g. transformers==5.24 (repeatable)."),
        click.option("--from", "era", multiple=True, metavar="LIB==VERSION",
                     help="The release the files were written for, e.g. transformers==4.44: "
                          "report changed defaults (info) and let --unsafe-fixes pin the old ones."),
        click.option("--class", "cls", type=LazyChoice(class_choices), metavar="CLASS",
                     help="Arguments class of config files (default CrossEncoderTrainingArguments)."),
        click.option("--hardware", metavar="local|NAME|FILE",
                     help="Judge hardware settings for this machine: local, a built-in profile "
                          "(t4, a100x8, ...) or a profile file (see `ce-lint env`)."),
        click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Read settings from this pyproject.toml instead of searching for one."),
        click.option("--output-format", type=LazyChoice(output_formats), default=None,
                     help="How to print findings (default text)."),
        click.option("--output-file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the report to this file instead of stdout."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems remain."),
        click.option("--unsafe-fixes", is_flag=True, default=None,
                     help="Also apply (fix) or count (check) fixes that change behaviour."),
        click.option("--show-fixes", is_flag=True, help="Show what each fix would do."),
        click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary."),
        click.option("--statistics", is_flag=True,
                     help="Print how often each code was found instead of the findings."),
        click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
                     help="Leave out findings accepted in this file (written by `ce-lint baseline`)."),
        click.option("--force-exclude", is_flag=True,
                     help="Apply exclude settings to files named on the command line too (pre-commit)."),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Usage problems and crashes of ce-lint exit 2 with a message, never a bare traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (`ce-lint rules | head`): nothing is left to tell it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            if isinstance(exc, _usage_errors()):
                click.echo(f"ce-lint: error: {exc}", err=True)
                sys.exit(USAGE_ERROR)
            import traceback  # a bug in ce-lint, not in the user's files

            traceback.print_exc()
            click.echo(f"ce-lint: internal error: {exc!r}. Please report it.", err=True)
            sys.exit(USAGE_ERROR)

    return wrapper


def _usage_errors() -> tuple[type[Exception], ...]:
    """The errors that mean a usage problem (bad settings, targets, rules or profile)."""
    from ..hardware.profile import ProfileError
    from ..rulebook import RulebookError
    from ..settings import SettingsError
    from ..targets import TargetError

    return (SettingsError, TargetError, RulebookError, ProfileError)
