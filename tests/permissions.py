"""Run a child process that file permissions apply to, even when the tests run as root."""

from __future__ import annotations

import os


def without_write_permission(command: list[str]) -> list[str]:
    """`command`, made to run without root's power to ignore file permissions."""
    if os.geteuid() != 0:
        return command
    # Root ignores permissions unless it gives up the capability (util-linux setpriv).
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *command]
