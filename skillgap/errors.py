"""Exceptions the CLI turns into one clear message (no traceback), and the exit codes.

A scheduler has to tell "the command line was wrong" from "the data or the configuration
is wrong" from "skillgap itself failed", so each has its own exit status (listed in the
README). A ``SkillgapError`` carries the status its kind of problem exits with.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1  # an unexpected failure: a bug (the traceback is printed); Python's own code
EXIT_USAGE = 2  # the command line is wrong: unknown command or option, bad or missing value
EXIT_DATA = 3  # an input file, record, config, profile or store cannot be used as it is
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C / SIGINT (128 + 2, the shell convention)


class SkillgapError(Exception):
    """Base for errors that are the user's to fix: bad input, missing data, bad config."""

    exit_code = EXIT_DATA


class InputError(SkillgapError):
    """A file or record cannot be used; the message names the file, record and reason."""


class MissingDataError(SkillgapError):
    """Something the command needs is not there; the message names the command that brings it."""


class ConfigError(SkillgapError):
    """The configuration is invalid; raised before any work starts."""


class UsageError(SkillgapError):
    """The command line asks for something impossible (found only after parsing it)."""

    exit_code = EXIT_USAGE
