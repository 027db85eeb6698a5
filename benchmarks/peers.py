"""The other libraries, imported lazily: a missing one is skipped with a message."""
from __future__ import annotations

import importlib
import importlib.util
from typing import Any, Callable

# module -> what to tell the user when it is missing
INSTALL_HINT = "pip install autodiff[bench]"
_checked: dict[str, bool] = {}


def available(module: str, log: Callable[[str], None] = print) -> bool:
    """Whether ``module`` can be imported; says so once when it cannot."""
    if module not in _checked:
        ok = importlib.util.find_spec(module) is not None
        if ok:
            try:
                importlib.import_module(module)
            except Exception as error:  # noqa: BLE001 - a broken install is a missing peer
                log(f"{module} cannot be imported ({type(error).__name__}: {error}); skipping")
                ok = False
        else:
            log(f"{module} not installed: {INSTALL_HINT}; skipping")
        _checked[module] = ok
    return _checked[module]


def load(module: str) -> Any:
    """Import a peer, with the install hint in the error when it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{module} not installed: {INSTALL_HINT}") from error
