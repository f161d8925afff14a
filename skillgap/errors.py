"""Exceptions the CLI turns into one clear message (no traceback) and a non-zero exit."""

from __future__ import annotations


class SkillgapError(Exception):
    """Base for errors that are the user's to fix: bad input, missing data, bad config."""


class InputError(SkillgapError):
    """A file or record cannot be used; the message names the file, record and reason."""


class MissingDataError(SkillgapError):
    """Something the command needs is not there; the message names the command that brings it."""


class ConfigError(SkillgapError):
    """The configuration is invalid; raised before any work starts."""
