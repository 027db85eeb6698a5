"""Arrays to and from .npz files: written atomically, read without pickle.

A save writes a temporary file in the destination's folder and renames it over
the destination (``os.replace``, atomic on POSIX and Windows): a failed or
interrupted save leaves the old file as it was. A load refuses arrays of Python
objects (``allow_pickle=False``), so opening a file can never run code.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from typing import Any

import numpy as np

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with entries, an empty zip


def save_arrays(path: Any, arrays: dict[str, np.ndarray], who: str) -> None:
    """Write ``arrays`` to the .npz file ``path`` (the exact name given), atomically."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{who}: cannot write {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{who}: cannot write {path}: it is a folder")
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as file:
            np.savez(file, **arrays)  # type: ignore[arg-type]
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)  # mkstemp makes it private (0600)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def load_arrays(path: Any, who: str) -> dict[str, np.ndarray]:
    """Every array of the .npz file ``path``, read with ``allow_pickle=False``."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as file:
            magic = file.read(4)
    except FileNotFoundError:
        raise FileNotFoundError(f"{who}: no file {path}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"{who}: {path} is a folder, not an .npz file") from None
    if magic not in _ZIP_MAGIC:
        raise ValueError(f"{who}: {path} is not an .npz file (it does not start as a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ValueError(f"{who}: {path} holds an array of Python objects, which is refused: "
                             "unpickling it could run code") from None
        raise ValueError(f"{who}: {path} is not a valid .npz file: {error}") from None
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ValueError(f"{who}: {path} is not a valid .npz file: {error}") from None
