"""The `stratus` command. Its libraries (click, rich) come with the `[cli]` extra, so the
SDK itself stays standard-library only; without them the command says how to get them."""

from __future__ import annotations

import sys
from typing import List, Optional

HINT = 'stratus: the CLI needs its extra libraries: pip install "stratus-tracker[cli]"'


def main(argv: Optional[List[str]] = None) -> None:
    try:
        import click  # noqa: F401
        import rich  # noqa: F401
    except ImportError:
        print(HINT, file=sys.stderr)
        raise SystemExit(1)
    from .commands import cli

    cli.main(args=argv, prog_name="stratus")
