"""What the CLI prints and how a command ends: safe consoles, styled text, numbers, exit codes.

User text (titles, ids, file names) is printed as it is, never read as markup or a terminal escape
sequence; every command runs under :func:`handle_errors`, so a failure is one located message and
an exit code, never a traceback (unless ``--debug``).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    r"""User text made inert for a terminal: control characters (ESC sequences that move the cursor,
    clear the screen or set the window title; bells; carriage returns) shown as ``\x1b`` etc.

    >>> terminal_safe("a\x1b[2Jb")
    'a\\x1b[2Jb'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@functools.lru_cache(maxsize=None)
def _console_class():
    from rich.console import Console

    class SafeConsole(Console):
        """Every string printed, table cells and titles included, passes through :func:`terminal_safe`."""

        def render_str(self, text, **kwargs):  # type: ignore[override]
            return super().render_str(terminal_safe(text), **kwargs)

    return SafeConsole


def err_console():
    """Console for messages on stderr. Markup and emoji codes are off and control characters are shown
    escaped: user text (titles, ids, file names) is printed as it is, never read as ``[bold]``,
    ``:smile:`` or a terminal escape sequence; styles come from :func:`styled`."""
    return _console_class()(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def out_console():
    """Console for results on stdout; as safe as :func:`err_console` (tables included)."""
    return _console_class()(highlight=False, soft_wrap=True, markup=False, emoji=False)


def styled(*parts: "str | tuple[str, str]"):
    """A rich Text from plain strings and ``(text, style)`` pairs: styling that cannot be injected.

    >>> styled(("error:", "bold red"), " [/oops] as typed").plain
    'error: [/oops] as typed'
    """
    from rich.text import Text

    return Text.assemble(*((terminal_safe(p[0]), p[1]) if isinstance(p, tuple) else terminal_safe(p)
                           for p in parts))


# ----------------------------------------------------------------------------- error handling

_DEBUG = False


def set_debug(value: bool) -> None:
    """Set by the root ``--debug`` option (each invocation sets it afresh)."""
    global _DEBUG
    _DEBUG = bool(value)


def debug_enabled() -> bool:
    """``--debug`` given, or ``LCA_DEBUG`` set to anything but empty/0: show tracebacks."""
    import os

    return _DEBUG or os.environ.get("LCA_DEBUG", "").strip() not in ("", "0")


def report_problems(exc: Exception) -> None:
    """Print every problem of a domain error to stderr, one per line."""
    from lca.errors import LcaInputError

    console = err_console()
    if isinstance(exc, LcaInputError):
        n = len(exc.problems)
        console.print(styled(("error:", "bold red"), f" {n} problem{'s' if n != 1 else ''} in the input:"))
        for p in exc.problems:
            console.print(f"  - {p}")
    else:
        console.print(styled(("error:", "bold red"), " ", str(exc)))


def os_error_message(exc: OSError) -> str:
    """``path: what the OS said (what to do)`` for an OSError that escaped a reader or writer."""
    from lca.outputs import os_reason

    where = " → ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    return f"{where}: {os_reason(exc)}" if where else os_reason(exc)


def handle_errors(func: F) -> F:
    """Decorator of every command: one located message on stderr and an exit code, never a traceback.

    * domain errors (:class:`~lca.errors.LcaError`): their problems, exit 1;
    * operating-system errors (permissions, read-only or full disks, a folder where a file is
      expected, symbolic link loops) that escaped a reader: ``path: reason``, exit 1;
    * Ctrl-C: ``interrupted``, exit 130 (outputs are written atomically, so nothing partial is left);
    * anything else is a bug in lca: one line saying so, exit 1. ``--debug`` (or ``LCA_DEBUG=1``)
      shows the traceback of any of these.
    Usage errors (exit 2) and ``typer.Exit`` pass through untouched.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from lca.errors import LcaError

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):  # exit codes and usage errors (2)
            raise
        except LcaError as exc:
            _traceback()
            report_problems(exc)
        except OSError as exc:
            _traceback()
            err_console().print(styled(("error:", "bold red"), " ", os_error_message(exc)))
        except KeyboardInterrupt:
            _traceback()
            err_console().print(styled(("interrupted", "bold red"), " (no partial output is left)"))
            raise typer.Exit(130) from None
        except MemoryError:
            _traceback()
            err_console().print(styled(("error:", "bold red"), " out of memory (try a smaller input or fewer "
                                                                "iterations)"))
        except Exception as exc:
            if debug_enabled():
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            # one line; whatever caused it, reaching here is a bug: lca should have said which input and where
            err_console().print(styled(("error:", "bold red"), f" internal error (a bug in lca): {type(exc).__name__}: "
                                       f"{first[:300]} — lca should have named the input and where; run again "
                                       f"with --debug (or LCA_DEBUG=1) to see the traceback, and please report it"))
        raise typer.Exit(1)

    return wrapper  # type: ignore[return-value]


def _traceback() -> None:
    if debug_enabled():
        import traceback

        traceback.print_exc()


def run_app(app: typer.Typer) -> int:
    """Run the typer app and return its exit code (0 ok, 1 input error, 2 usage error)."""
    try:
        app(standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def fmt(value: float, digits: int = 4) -> str:
    """Numbers for terminal tables: 4 significant digits, no scientific notation for normal sizes."""
    if value == 0:
        return "0"
    from math import floor, log10

    mag = floor(log10(abs(value)))
    if -4 <= mag < 9:
        decimals = max(0, digits - 1 - mag)
        return f"{value:,.{decimals}f}"
    return f"{value:.{digits - 1}e}"
