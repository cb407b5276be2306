"""Run a command that gets SIGTERM when the process that started it dies, even by SIGKILL.

`python -m hub.dev.tether PARENT_PID COMMAND...` asks Linux for PR_SET_PDEATHSIG and then
replaces itself with COMMAND (the setting survives exec), so the pid its starter holds is the
command's own. Doing this in a separate exec rather than in Popen's `preexec_fn` keeps it safe
while the starter runs threads; checking the parent pid after the `prctl` closes the race in
which the starter died before the tether was set (which `setpriv --pdeathsig` leaves open).

Linux sends the signal when the *thread* that started the child ends, so start tethered
children from the thread that lives as long as they should (the main thread in `hub up`).
Elsewhere than Linux the command runs untethered.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def tethered(argv: Sequence[str]) -> list[str]:
    """`argv` wrapped so that it ends when the calling process ends."""
    return [sys.executable, "-m", "hub.dev.tether", str(os.getpid()), *argv]


def tether_to(parent: int) -> bool:
    """Ask for SIGTERM when `parent` dies; False if it already has (we were orphaned early)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    return os.getppid() == parent


def main(args: Sequence[str]) -> NoReturn:
    """Tether to the parent named first, then become the command that follows."""
    parent, command = int(args[0]), list(args[1:])
    if not tether_to(parent):
        os._exit(1)  # the parent is gone already: start nothing it can no longer stop
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
