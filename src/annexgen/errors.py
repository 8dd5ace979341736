"""The error family of annexgen. The CLI catches `AnnexgenError` once."""

from __future__ import annotations


class AnnexgenError(Exception):
    """Base of every error annexgen raises on purpose; its message is Chinese and final."""

    exit_code = 1


class UnusableInputError(AnnexgenError):
    """Raised when the input cannot be used at all: no such folder, an unreadable file."""

    exit_code = 2
