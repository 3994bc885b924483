"""What code ran: git state and the process's context, captured at start_run."""

from __future__ import annotations

import os
import platform
import shlex
import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional


@dataclass
class CodeContext:
    git_commit: Optional[str] = None
    git_branch: Optional[str] = None
    git_dirty: Optional[bool] = None
    code_version: Optional[str] = None
    host: str = ""
    python_version: str = ""
    command: str = ""

    def tags(self) -> Dict[str, str]:
        """System tags (prefixed `stratus.`) describing where and from what code the run came."""
        tags = {
            "stratus.host": self.host,
            "stratus.python_version": self.python_version,
            "stratus.command": self.command[:5000],
        }
        if self.git_commit:
            tags["stratus.git.commit"] = self.git_commit
            tags["stratus.git.dirty"] = "true" if self.git_dirty else "false"
            if self.git_branch:
                tags["stratus.git.branch"] = self.git_branch
        return {key: value for key, value in tags.items() if value}


def _git(directory: str, *args: str) -> Optional[str]:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git binary, or it hung: not worth failing a run over
    return result.stdout.strip() if result.returncode == 0 else None


def source_directories() -> List[str]:
    """Where to look for the checkout: the running script's directory (what its commit describes),
    unless it is an installed module (`python -m pytest`), then the working directory."""
    candidates = []
    script = sys.argv[0] if sys.argv else ""
    if script and os.path.isfile(script):
        path = os.path.abspath(script)
        if "site-packages" not in path and "dist-packages" not in path:
            candidates.append(os.path.dirname(path))
    candidates.append(os.getcwd())
    return candidates


def capture(directory: Optional[str] = None) -> CodeContext:
    """Git commit, branch, dirty flag and `git describe`, host, Python version and argv; git parts
    stay empty outside a checkout."""
    context = CodeContext(
        host=socket.gethostname(),
        python_version=platform.python_version(),
        command=" ".join(shlex.quote(arg) for arg in [os.path.basename(sys.executable), *sys.argv]),
    )
    commit, where = None, ""
    for where in [directory] if directory else source_directories():
        commit = _git(where, "rev-parse", "HEAD")
        if commit:
            break
    if not commit:
        return context
    context.git_commit = commit
    branch = _git(where, "rev-parse", "--abbrev-ref", "HEAD")
    context.git_branch = None if branch in (None, "HEAD") else branch
    status = _git(where, "status", "--porcelain", "--untracked-files=no")
    context.git_dirty = bool(status)
    describe = _git(where, "describe", "--tags", "--always", "--dirty")
    context.code_version = describe or commit[:12]
    return context
