"""The ``emkit`` command: fit, select, predict, score, sample, inspect, report, demo.

A user error is one line on stderr and exit code 2; a traceback appears only with
``--debug`` (anywhere on the line). Ctrl-C prints one line and exits 130; a closed pipe
(``emkit predict ... | head``) ends the command quietly.
"""
from __future__ import annotations

import os
import sys

from ._commands import COMMANDS
from ._errors import UserError, as_cli_text, one_line
from ._parser import build_parser, parse

__all__ = ["EXIT_INTERRUPTED", "EXIT_USAGE", "UserError", "build_parser", "main"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: 128 + SIGPIPE, what a shell reports for a command whose reader went away.
EXIT_BROKEN_PIPE = 141


def _report(prefix, error, hint=""):
    print(f"{prefix}: error: {as_cli_text(one_line(error))}{hint}", file=sys.stderr)


def _quiet_stdout():
    """Point stdout at /dev/null, so that flushing it at exit raises no second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings as one line on stderr, without the source line (``warnings.showwarning``)."""
    print(f"emkit: warning: {as_cli_text(one_line(message))}", file=file or sys.stderr)


def _run(args):
    import warnings

    try:
        with warnings.catch_warnings():
            if not args.debug:
                warnings.showwarning = _one_line_warning
            COMMANDS[args.command](args)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    return 0


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (``sys.argv[1:]`` by default).

    Returns
    -------
    int
        The exit status: 0, 2 for a user error, 130 when interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    prefix = "emkit"
    try:
        args = parse(argv)
        prefix = f"emkit {args.command}"
        return _run(args)
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
    except KeyboardInterrupt:
        if debug:
            raise
        print(f"{prefix}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ImportError as error:
        if debug:
            raise
        _report(prefix, error, "; install the extras with pip install 'emkit[all]'")
        return EXIT_USAGE
    except (UserError, ValueError, TypeError, OSError, KeyError, MemoryError) as error:
        if debug:
            raise
        text = f"not enough memory ({error})" if isinstance(error, MemoryError) else error
        _report(prefix, text)
        return EXIT_USAGE
    except Exception as error:  # anything else is our bug: one line, exit 1
        if debug:
            raise
        _report(prefix, f"internal error {type(error).__name__}: {error}",
                " (rerun with --debug for the traceback, and please report it)")
        return 1
