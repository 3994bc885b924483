"""Ending the active runs when the interpreter exits, so a crashed script leaves no run RUNNING.

- a normal exit (the end of the script, ``sys.exit``): FINISHED;
- an uncaught exception: FAILED (Ctrl-C, an uncaught KeyboardInterrupt: KILLED);
- SIGTERM (a scheduler cancelling the job): KILLED, then the default action, so
  the process still dies of SIGTERM and its exit status says so.

The hooks are installed once, the first time a tracker starts a run; they chain
to whatever ``sys.excepthook`` and SIGTERM handler were there before. A SIGTERM
handler is installed only from the main thread and only when nobody else has
set one (a framework that handles SIGTERM itself keeps doing so).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
import weakref
from typing import Any, Callable, Optional

log = logging.getLogger("stratus")

_trackers: "weakref.WeakSet[Any]" = weakref.WeakSet()
_installed = False
#: The process whose runs these are: a forked child (a data loader worker, say) inherits the hooks,
#: and its exit or SIGTERM must not end its parent's runs.
_owner_pid = os.getpid()
_install_lock = threading.Lock()
#: Set by the excepthook: the status the runs get when the interpreter then exits.
_exit_status: Optional[str] = None


def register(tracker: Any) -> None:
    """Ends `tracker`'s active runs at exit (``tracker._end_at_exit(status)``)."""
    _trackers.add(tracker)
    _install()


def _end_all(status: str) -> None:
    if os.getpid() != _owner_pid:
        return
    for tracker in list(_trackers):
        try:
            tracker._end_at_exit(status)
        except Exception as error:  # pragma: no cover - exiting anyway; say why
            log.warning("stratus: could not end runs at exit: %s", error)


def _at_exit() -> None:
    _end_all(_exit_status or "FINISHED")


def _install() -> None:
    global _installed, _owner_pid
    with _install_lock:
        if _installed:
            return
        _installed = True
        _owner_pid = os.getpid()
        atexit.register(_at_exit)
        previous_hook: Callable[..., Any] = sys.excepthook

        def excepthook(kind: type, value: BaseException, traceback: Any) -> None:
            global _exit_status
            _exit_status = "KILLED" if issubclass(kind, KeyboardInterrupt) else "FAILED"
            previous_hook(kind, value, traceback)

        sys.excepthook = excepthook
        if threading.current_thread() is threading.main_thread():
            try:
                if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
                    signal.signal(signal.SIGTERM, _on_sigterm)
            except (ValueError, OSError):  # pragma: no cover - embedded interpreters
                pass


def _on_sigterm(number: int, frame: Any) -> None:
    _end_all("KILLED")  # does nothing in a forked child: the runs are its parent's
    # Die of SIGTERM as if we had never caught it: the parent sees the usual status.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
