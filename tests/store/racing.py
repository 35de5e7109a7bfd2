"""Racing one operation from several threads or several processes, released together."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from bot.store import open_store
from tests.store.racer import PATIENT, operate

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # a guard against a hang, not a timing assertion


def race_threads(target: str, operation: str, count: int) -> list[str]:
    """`count` threads, each on its own store, do `operation` at once; their outcomes."""
    stores = [open_store(target, PATIENT) for _ in range(count)]
    barrier = threading.Barrier(count)
    outcomes: list[str] = [""] * count
    errors: list[Exception] = []

    def racer(n: int) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            outcomes[n] = operate(stores[n], f"racer{n}", operation)
        except Exception as exc:  # noqa: BLE001 - re-raised in the calling test
            errors.append(exc)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    for store in stores:
        store.close()
    if errors:
        raise errors[0]
    return outcomes


def race_processes(target: str, operations: list[str], count: int) -> list[list[str]]:
    """`count` processes, each opened and ready, do `operations` on "go"; their outcomes.

    One list per process, one outcome per operation. Processes cost a start each, so one
    race runs every operation in turn.
    """
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.store.racer",
                target,
                f"racer{n}",
                ",".join(operations),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            assert line == "READY", process.communicate(timeout=TIMEOUT)[1]
        for process in processes:  # every process is ready; now all go at once
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outcomes: list[list[str]] = []
        for process in processes:
            out, err = process.communicate(timeout=TIMEOUT)
            assert process.returncode == 0, err
            outcomes.append(out.split())
        return outcomes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
