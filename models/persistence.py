"""Save and load fitted models as .npz files, without pickle.

The file holds the fitted arrays (``coef_``, ``intercept_``, ``classes_``,
``loss_curve_``) and one JSON string, ``metadata``: the format name and
version, the package version, the class name, the constructor parameters and
the scalar attributes. It is read back with ``np.load(path, allow_pickle=False)``,
so loading a file never runs code. String class labels are stored as a
numpy unicode array (not an object array), so they round-trip too.

    model.save("iris.npz")
    model = models.load_model("iris.npz")
"""
from __future__ import annotations

import json
import os
import zipfile
from typing import Any

import numpy as np

from .validation import check_is_fitted

__all__ = ["FORMAT", "FORMAT_VERSION", "save_model", "load_model"]

FORMAT = "autodiff.models"
FORMAT_VERSION = 1
_ARRAYS = ("coef_", "intercept_", "classes_", "loss_curve_")


def _model_classes() -> dict[str, type]:
    from .linear import LogisticRegression, SoftmaxRegression
    return {cls.__name__: cls for cls in (LogisticRegression, SoftmaxRegression)}


def _json_param(name: str, value: Any) -> Any:
    """A constructor parameter as a JSON value (numpy scalars and dtypes converted)."""
    if name == "dtype":
        return np.dtype(value).name
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"cannot save parameter {name}={value!r}: only None, numbers and strings are "
                     "stored (set it to an int or None before saving)")


def _label_array(classes: np.ndarray) -> np.ndarray:
    if classes.dtype.kind != "O":
        return classes
    if all(isinstance(c, str) for c in classes):
        return classes.astype(str)
    raise ValueError("cannot save classes_ of mixed Python objects; use numbers or strings as labels")


def save_model(model: Any, path: str | os.PathLike[str]) -> None:
    """Write a fitted LogisticRegression or SoftmaxRegression to ``path`` (.npz, exactly this name)."""
    from autodiff import __version__
    check_is_fitted(model, "save")
    name = type(model).__name__
    if name not in _model_classes():
        raise ValueError(f"cannot save a {name}: only {sorted(_model_classes())} are supported")
    metadata = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "package_version": __version__,
        "class": name,
        "params": {k: _json_param(k, v) for k, v in model.get_params().items()},
        "n_features_in_": int(model.n_features_in_), "n_iter_": int(model.n_iter_),
    }
    arrays = {"coef_": model.coef_, "intercept_": model.intercept_,
              "classes_": _label_array(np.asarray(model.classes_)),
              "loss_curve_": np.asarray(model.loss_curve_, dtype=np.float64)}
    with open(path, "wb") as f:
        np.savez(f, metadata=np.array(json.dumps(metadata)), **arrays)


def _read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError("a single .npy array, not an .npz archive")
            missing = [k for k in ("metadata",) + _ARRAYS if k not in archive.files]
            if missing:
                raise ValueError(f"missing entries {missing}")
            arrays = {k: archive[k] for k in _ARRAYS}
            metadata = json.loads(str(archive["metadata"]))
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, json.JSONDecodeError, KeyError) as error:
        raise ValueError(f"{os.fspath(path)}: not a model saved by models.save_model "
                         f"({type(error).__name__}: {error})") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ValueError(f"{os.fspath(path)}: not a model saved by models.save_model "
                         f"(format {metadata.get('format') if isinstance(metadata, dict) else None!r})")
    return metadata, arrays


def load_model(path: str | os.PathLike[str]) -> Any:
    """Read a model written by ``model.save(path)``; ValueError naming the file
    if it is corrupt, foreign, of a newer format or of an unknown class."""
    metadata, arrays = _read(path)
    where = os.fspath(path)
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{where}: format version {metadata.get('format_version')!r} is not supported "
                         f"(this package reads version {FORMAT_VERSION})")
    classes = _model_classes()
    name = metadata.get("class")
    if name not in classes:
        raise ValueError(f"{where}: unknown model class {name!r}; expected one of {sorted(classes)}")
    try:
        model = classes[name](**metadata["params"])
    except (TypeError, KeyError) as error:
        raise ValueError(f"{where}: invalid parameters for {name}: {error}") from None
    coef, intercept, labels = arrays["coef_"], arrays["intercept_"], arrays["classes_"]
    n = metadata.get("n_features_in_")
    rows = 1 if name == "LogisticRegression" else len(labels)
    if coef.shape != (rows, n) or intercept.shape != (rows,) or labels.ndim != 1:
        raise ValueError(f"{where}: inconsistent arrays: coef_ {coef.shape}, intercept_ {intercept.shape}, "
                         f"classes_ {labels.shape} for {n} features")
    model.coef_, model.intercept_, model.classes_ = coef, intercept, labels
    model.n_features_in_, model.n_iter_ = int(n), int(metadata.get("n_iter_", 0))
    model.loss_curve_ = arrays["loss_curve_"].tolist()
    return model
