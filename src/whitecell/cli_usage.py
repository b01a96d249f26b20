"""Usage errors of the ``whitecell`` command as one plain line.

A mistyped command line (unknown command or option, missing argument, a value
of the wrong type, an extra argument) is the user's mistake, not a crash: it
gets one line on stderr that says what was wrong, what was expected, "did you
mean" when a name is close, and which ``--help`` to read, then exit status 2.
Typer's default is a usage line, a hint and the message in a rich panel;
here the line is written to stderr as plain text (no rich console at all)
with control characters escaped, so no typed text is read as markup or emoji
codes, or restyles the terminal.

:class:`UsageGroup` is the click group class of the ``whitecell`` app
(``typer.Typer(cls=UsageGroup)``); its :meth:`~UsageGroup.main` is what both
the console script and ``typer.testing.CliRunner`` call. The exception
classes come from Typer's own copy of click (``typer._click``), which is why
``pyproject.toml`` pins Typer to one version.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any

import typer
from typer import _click
from typer.core import TyperGroup

__all__ = ["UsageGroup", "usage_message"]

Exceptions = _click.exceptions


def _plain(text: object) -> str:
    """User text made safe for one terminal line: control characters escaped."""
    s = str(text)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)


def _quoted(text: object) -> str:
    return f"'{_plain(text)}'"


SUBCOMMAND = "whitecell.subcommand"


def _where(ctx: Any) -> tuple[str, Any]:
    """The command path and command an error belongs to.

    Some parse errors (an option without its value) reach the group's context,
    not the subcommand's; the subcommand resolved last is recorded in its meta.
    """
    if ctx is None:
        return "whitecell", None
    sub = ctx.meta.get(SUBCOMMAND) if ctx.command is not None else None
    if sub is not None and sub is not ctx.command and isinstance(ctx.command, TyperGroup):
        return f"{_plain(ctx.command_path)} {_plain(sub.name)}", sub
    return _plain(ctx.command_path), ctx.command


def _help_hint(path: str) -> str:
    return f"see '{path} --help'"


def _option_names(command: Any) -> list[str]:
    names = ["--help"]
    for p in command.params if command is not None else ():
        if p.param_type_name == "option" and not p.hidden:
            names += [*p.opts, *p.secondary_opts]
    return names


def _option(command: Any, name: str) -> Any:
    for p in command.params if command is not None else ():
        if p.param_type_name == "option" and name in (*p.opts, *p.secondary_opts):
            return p
    return None


def _arguments(command: Any) -> str:
    """``no arguments`` / ``SCENARIO`` / ``FILES...``: what a command takes as arguments."""
    args = [p for p in command.params if p.param_type_name == "argument"] if command else []
    if not args:
        return "no arguments"
    return " ".join(_plain((p.metavar or p.name or "").upper()) + ("..." if p.nargs == -1
                                                                     else "") for p in args)


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x' or 'y'?)`` for the close matches of ``word``, else ``""``."""
    bare = {c.lstrip("-").lower(): c for c in choices}
    close = get_close_matches(word.lstrip("-").lower(), list(bare), n=3, cutoff=0.6)
    # a prefix of a longer name ("--excur" for "--excursion") is close too
    close += [b for b in bare if len(word.lstrip("-")) >= 3
              and b.startswith(word.lstrip("-").lower()) and b not in close]
    if not close:
        return ""
    names = [_quoted(bare[c]) for c in close[:3]]
    return f" (did you mean {' or '.join(names)}?)"


def _param_label(param: Any) -> str:
    if param.param_type_name == "argument":
        return f"argument {_plain((param.metavar or param.name or '').upper())}"
    return f"option {' / '.join(param.opts)}"


def _expected(param: Any) -> str:
    """What the parameter takes, from its help text (first sentence), if any."""
    text = (getattr(param, "help", None) or "").strip()
    if not text:
        return ""
    return f" ({_sentence(text.split('. ')[0])})"


_PYDANTIC_EXPECTED = {
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_type": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "bool_parsing": "true or false",
}


def _bad_value(e: Any) -> str:
    """``invalid value 'x' for option --seed (expected a whole number)``."""
    param = e.param
    where = _param_label(param) if param is not None else "a parameter"
    cause = e.__cause__
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    if errors:
        first = errors[0]
        expected = _PYDANTIC_EXPECTED.get(first.get("type", ""), None)
        value = first.get("input")
        what = f"expected {expected}" if expected else _plain(first.get("msg", "")).lower()
        return f"invalid value {_quoted(value)} for {where} ({what})"
    return f"invalid value for {where}: {_sentence(e.message)}"


def usage_message(e: Any) -> str:
    """The one line (without the ``error:`` prefix) for a click usage error ``e``."""
    path, command = _where(getattr(e, "ctx", None))
    see = _help_hint(path)
    if isinstance(e, Exceptions.NoSuchOption):
        hint = _did_you_mean(e.option_name, _option_names(command))
        return f"{path}: no such option {_quoted(e.option_name)}{hint}; {see}"
    if isinstance(e, Exceptions.MissingParameter):
        if e.param is None:
            return f"{path}: {_sentence(e.format_message())}; {see}"
        return f"{path}: missing {_param_label(e.param)}{_expected(e.param)}; {see}"
    if isinstance(e, Exceptions.BadParameter):
        return f"{path}: {_bad_value(e)}; {see}"
    if isinstance(e, Exceptions.BadOptionUsage):
        param = _option(command, e.option_name)
        if "requires" in e.message and param is not None:
            return (f"{path}: option {_quoted(e.option_name)} needs a value"
                    f"{_expected(param)}; {see}")
        if "does not take a value" in e.message:
            return f"{path}: option {_quoted(e.option_name)} is a flag and takes no value; {see}"
    typo = getattr(e, "unknown_command", None)
    if typo is not None:
        names = list(command.list_commands(e.ctx)) if command is not None else []
        return (f"no such command {_quoted(typo)}{_did_you_mean(typo, names)}; "
                f"see '{path} --help' for the commands")
    msg = _plain(e.format_message())
    extra_args = _EXTRA.match(msg)
    if extra_args:
        extra = extra_args.group(1)
        takes = _arguments(command)
        quote = "; quote a value that holds spaces" if takes != "no arguments" else ""
        return f"{path}: unexpected extra argument {_quoted(extra)} (it takes {takes}{quote}); {see}"
    return f"{path}: {_sentence(msg)}; {see}"


_EXTRA = re.compile(r"Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)\.?$")


def _sentence(msg: str) -> str:
    """``msg`` to go after a colon: no final full stop, first letter lower case
    unless the first word is an acronym (``HTML file``)."""
    msg = _plain(msg).rstrip(".")
    if msg[1:2].isupper():
        return msg
    return f"{msg[:1].lower()}{msg[1:]}"


class UsageGroup(TyperGroup):
    """The ``whitecell`` group: usage errors as one plain line and exit status 2."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            name, cmd, rest = super().resolve_command(ctx, args)
        except Exceptions.UsageError as e:
            if args and self.get_command(ctx, args[0]) is None and not args[0].startswith("-"):
                e.unknown_command = args[0]  # type: ignore[attr-defined]
            raise
        ctx.meta[SUBCOMMAND] = cmd
        return name, cmd, rest

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exceptions.UsageError as e:
            if e.ctx is None:  # raised while parsing the subcommand's options
                e.ctx = ctx
            raise

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode,
                                windows_expand_args, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args,
                              **extra)
        except Exceptions.NoArgsIsHelpError as e:
            # the help was printed when the error was made (rich) or is its message
            if e.message.strip():
                sys.stderr.write(e.message.rstrip("\n") + "\n")
            sys.exit(2)
        except Exceptions.UsageError as e:
            sys.stderr.write(f"error: {usage_message(e)}\n")
            sys.exit(2)
        except typer.Abort:
            sys.stderr.write("aborted\n")
            sys.exit(1)
        except Exceptions.ClickException as e:
            sys.stderr.write(f"error: {_plain(e.format_message())}\n")
            sys.exit(e.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)
