"""The error family of annexgen. The CLI catches `AnnexgenError` once."""

from __future__ import annotations

import re

_HAS_CODE = re.compile(r"\[[a-z][a-z0-9-]*\]\s*$")


class AnnexgenError(Exception):
    """Base of every error annexgen raises on purpose; its message is Chinese and final.

    `code` is the stable code shown in brackets at the end of the message, as for findings.
    """

    exit_code = 1
    code = "error"

    def shown(self) -> str:
        """The message as printed: each line that has no [code] yet gets this error's."""
        lines = str(self).splitlines() or [""]
        return "\n".join(line if _HAS_CODE.search(line) or not line.strip() else f"{line} [{self.code}]" for line in lines)


class UnusableInputError(AnnexgenError):
    """Raised when the input cannot be used at all: no such folder, an unreadable file."""

    exit_code = 2
    code = "no-data"
