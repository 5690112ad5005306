"""Helpers for building many long-lived objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """A bulk load (a CRM export, a matching index) makes hundreds of thousands of objects,
    none of them garbage; the cyclic collector would rescan them again and again while they
    are being made, which doubles the load time for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
