"""What fit shows while it trains, and how it hears Ctrl-C: the self-overwriting progress line,
and a SIGINT handler that lets the current step finish."""

from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from ..checks import short
from .history import History


def flush(out: Any) -> None:
    """Flush ``out`` when it has a flush() (not every object with a write() does)."""
    method = getattr(out, "flush", None)
    if callable(method):
        method()


class CtrlC:
    """Ctrl-C during training. The first press only sets ``pressed``, which the loop reads after each
    step, so the parameters are never left half-updated; a second press raises KeyboardInterrupt at
    once (once: ``armed`` then goes False), which fit catches like any other KeyboardInterrupt."""

    def __init__(self) -> None:
        self.pressed = False
        self.armed = True

    def handler(self, signum: int, frame: Any) -> None:
        if self.pressed and self.armed:
            self.armed = False
            raise KeyboardInterrupt
        self.pressed = True


@contextmanager
def ctrl_c_deferred() -> Iterator[CtrlC]:
    """Catch SIGINT in a :class:`CtrlC` while active. Signals only reach the main thread: elsewhere
    nothing is installed (a KeyboardInterrupt raised by code is caught by fit itself)."""
    state = CtrlC()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.signal(signal.SIGINT, state.handler)
    try:
        yield state
    finally:
        # None: the previous handler was not installed from Python; Python's own is the best guess
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


class Progress:
    """One self-overwriting line: epoch, losses, accuracy, rate and time left."""

    def __init__(self, stream: Any, epochs: int) -> None:
        self.stream, self.epochs, self.last, self.open = stream, epochs, 0.0, False
        self.total = str(epochs) if epochs.bit_length() <= 64 else short(epochs)
        self.remaining = (
            float(epochs) if epochs.bit_length() <= 1000 else math.inf
        )  # 10**400 epochs: no float

    def line(self, epoch: int, h: History) -> str:
        rate = epoch / h.seconds if h.seconds > 0 else math.inf
        eta = (self.remaining - epoch) / rate if rate > 0 else math.inf
        parts = [f"epoch {epoch}/{self.total}", f"loss {h.train_loss[-1]:.4g}"]
        if h.train_accuracy and h.train_accuracy[-1] is not None:
            parts.append(f"acc {100 * h.train_accuracy[-1]:.1f}%")
        if h.val_loss:
            parts.append(f"val {h.val_loss[-1]:.4g}")
        parts += [f"{rate:.3g} epochs/s", f"ETA {eta:.0f}s" if math.isfinite(eta) else "ETA ?"]
        return "  ".join(parts)

    def update(self, epoch: int, h: History) -> None:
        now = time.perf_counter()
        if now - self.last >= 0.1 or epoch == self.epochs:  # at most 10 redraws a second
            self.last = now
            self.stream.write("\r\033[K" + self.line(epoch, h))
            self.open = True
            flush(self.stream)

    def clear(self) -> None:
        """Rub out the progress line, so that a message gets a line of its own."""
        if self.open:
            self.stream.write("\r\033[K")
            self.open = False

    def close(self, h: History) -> None:
        why = " (stopped early)" if h.stopped_early else " (interrupted)" if h.interrupted else ""
        why += " (diverged)" if h.diverged is not None else ""
        self.stream.write(f"{chr(10) if self.open else ''}{h.epochs} epochs in {h.seconds:.1f}s{why}\n")
        self.open = False
        flush(self.stream)
