"""Running the ``landrenewal`` command as a user does: a real process."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "landrenewal", *args], capture_output=True, text=True, timeout=300)
    if check and done.returncode != 0:
        raise AssertionError(f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}")
    return done
