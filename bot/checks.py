"""What `townhall doctor` found: one check each, and the fix when it would not work."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One thing checked: what, what was seen, and the fix an admin has to make (if any)."""

    subject: str
    detail: str
    fix: str | None = None

    @property
    def ok(self) -> bool:
        """Whether this part would work as configured."""
        return self.fix is None
