"""Save and load fitted models as .npz files, without pickle.

The file is a zip archive of .npy entries: one JSON string, ``metadata``
(the format name and version, the package version, the class name, the
constructor parameters and the scalar attributes), and the fitted arrays:
``coef_``, ``intercept_``, ``classes_``, ``loss_curve_`` for the linear models;
``classes_``, ``loss_curve_``, ``validation_scores_`` (empty without early
stopping) and one ``coefs_<k>`` and ``intercepts_<k>`` per layer k for an
MLPClassifier, whose ``hidden_layer_sizes`` is read off the layers' shapes.
String class labels are stored as a numpy unicode array, never as objects.

    model.save("iris.npz")
    model = models.load_model("iris.npz")

Saving writes a temporary file next to the target and renames it over the
target only once it is complete, so a full disk, an error or Ctrl-C while
writing leaves the previous file as it was.

Loading never unpickles and never trusts a size: each entry's .npy header is
read and checked (dtype, shape, byte count against the zip entry) before any
array is allocated, the metadata is checked (keys, types, nesting depth)
before it is used, the arrays are checked against each other and against the
metadata, and only then is the model built. Every error is a
:class:`ModelFileError` (a ValueError) naming the file and the field.
"""
from __future__ import annotations

import inspect
import json
import math
import os
import secrets
import stat
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO, Any, Callable

import numpy as np

from .validation import check_is_fitted

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFileError", "save_model", "load_model"]

FORMAT = "autodiff.models"
FORMAT_VERSION = 1
_LINEAR_ARRAYS = ("coef_", "intercept_", "classes_", "loss_curve_")

#: Largest array a model file may hold, in bytes (a float64 model of 100
#: classes and a million features is 800 MB); checked from the .npy header.
MAX_ARRAY_BYTES = 1 << 30
#: Longest metadata JSON, in characters (a saved model's is about 500).
MAX_METADATA_CHARS = 1 << 16
#: Deepest nesting of the metadata JSON: the top object and its "params" object.
MAX_METADATA_DEPTH = 2
#: Most layers an MLPClassifier file may hold (each is two zip entries).
MAX_LAYERS = 1000
_MAX_NPY_HEADER = 4096  # bytes; numpy writes 128 or so

_HEADER_SIZE_LIMIT = "max_header_size" in inspect.signature(np.lib.format.read_array_header_1_0).parameters
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_CHUNK = 1 << 20

# dtype kinds accepted per entry (b bool, i/u integers, f floats, U/S strings); an MLP's
# coefs_<k> and intercepts_<k> take those of coefs_ and intercepts_
_KINDS = {"metadata": "U", "coef_": "f", "intercept_": "f", "classes_": "biufUS", "loss_curve_": "f",
          "coefs_": "f", "intercepts_": "f", "validation_scores_": "f"}
_NDIMS = {"metadata": 0, "coef_": 2, "intercept_": 1, "classes_": 1, "loss_curve_": 1,
          "coefs_": 2, "intercepts_": 1, "validation_scores_": 1}
_REQUIRED_METADATA = ("format", "format_version", "class", "params", "n_features_in_", "n_iter_")
_OPTIONAL_METADATA = ("package_version",)
# the scalar attributes of an MLPClassifier, besides n_features_in_ and n_iter_
_MLP_METADATA = ("n_layers_", "t_", "best_loss_", "best_validation_score_")


def _kind(field: str) -> str:
    """The key of a field in _KINDS and _NDIMS: coefs_3 -> coefs_."""
    stem = field.rstrip("0123456789")
    return stem if stem in ("coefs_", "intercepts_") and stem != field else field


def _array_fields(metadata: dict[str, Any]) -> tuple[str, ...]:
    """The array entries of a model file, from its (checked) metadata."""
    if metadata["class"] != "MLPClassifier":
        return _LINEAR_ARRAYS
    layers = range(metadata["n_layers_"] - 1)
    return (("classes_", "loss_curve_", "validation_scores_") + tuple(f"coefs_{k}" for k in layers)
            + tuple(f"intercepts_{k}" for k in layers))


class ModelFileError(ValueError):
    """A model file that ``save_model`` did not write, or that was damaged or
    altered; the message names the file and the field."""


def _model_classes() -> dict[str, type]:
    from .linear import LogisticRegression, SoftmaxRegression
    from .mlp import MLPClassifier
    return {cls.__name__: cls for cls in (LogisticRegression, SoftmaxRegression, MLPClassifier)}


# ----- saving ------------------------------------------------------------------------------
def _json_param(name: str, value: Any) -> Any:
    """A constructor parameter as a JSON value (numpy scalars and dtypes converted)."""
    if name == "dtype" and value is not None:
        return np.dtype(value).name
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot save parameter {name}={value!r}: it is not finite")
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


def _write_archive(file: IO[bytes], entries: dict[str, np.ndarray]) -> None:
    """An uncompressed zip of one .npy per entry (what ``np.savez`` writes)."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in entries.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)


def _replace_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write a temporary file in ``path``'s folder with ``write``, flush it to
    disk, then rename it over ``path``. On any failure (including Ctrl-C) the
    temporary file is removed and ``path`` is untouched."""
    if path.is_dir():
        raise IsADirectoryError(21, f"cannot save a model to {path}: it is a folder")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:  # 0o666 minus the umask, as open() would create the target itself
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as error:
        raise type(error)(error.errno, f"cannot save a model to {path}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))  # replacing: keep its permissions
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); best effort, silently skipped elsewhere."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_model(model: Any, path: str | os.PathLike[str]) -> None:
    """Write a fitted LogisticRegression, SoftmaxRegression or MLPClassifier to
    ``path`` (.npz contents, exactly this name). The previous file at ``path``
    survives any failure: the new one is written aside and renamed over it when complete."""
    from autodiff import __version__
    check_is_fitted(model, "save")
    name = type(model).__name__
    if name not in _model_classes():
        raise ValueError(f"cannot save a {name}: only {sorted(_model_classes())} are supported")
    mlp = name == "MLPClassifier"
    params = model.get_params()
    if mlp:  # the layers' shapes say it
        params.pop("hidden_layer_sizes")
    metadata = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "package_version": str(__version__),
        "class": name,
        "params": {k: _json_param(k, v) for k, v in params.items()},
        "n_features_in_": int(model.n_features_in_), "n_iter_": int(model.n_iter_),
    }
    arrays: dict[str, np.ndarray] = {"classes_": _label_array(np.asarray(model.classes_)),
                                     "loss_curve_": np.asarray(model.loss_curve_, dtype=np.float64)}
    if mlp:
        metadata.update({"n_layers_": int(model.n_layers_), "t_": int(model.t_),
                         "best_loss_": _json_param("best_loss_", model.best_loss_),
                         "best_validation_score_": _json_param("best_validation_score_",
                                                               model.best_validation_score_)})
        arrays["validation_scores_"] = np.asarray(model.validation_scores_ or [], dtype=np.float64)
        arrays.update({f"coefs_{k}": np.asarray(W) for k, W in enumerate(model.coefs_)})
        arrays.update({f"intercepts_{k}": np.asarray(b) for k, b in enumerate(model.intercepts_)})
    else:
        arrays.update({"coef_": np.asarray(model.coef_), "intercept_": np.asarray(model.intercept_)})
    entries = {"metadata": np.array(json.dumps(metadata, allow_nan=False)), **arrays}
    _replace_atomically(Path(path), lambda file: _write_archive(file, entries))


# ----- loading: the archive ----------------------------------------------------------------
class _Reader:
    """Checks one model file step by step; ``fail`` raises naming file and field."""

    def __init__(self, path: str | os.PathLike[str]):
        self.where = os.fspath(path)

    def fail(self, field: str, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.where}: {field}: {problem}")

    def foreign(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.where}: not a model saved by models.save_model: {problem}")

    # -- the zip directory
    def entries(self, archive: zipfile.ZipFile, file_size: int) -> dict[str, zipfile.ZipInfo]:
        """Every entry by field name (without .npy), metadata first, each a field some
        model has and checked as a zip entry; which fields this model needs is checked
        by ``expect`` once the metadata is read."""
        names = [info.filename for info in archive.infolist()]
        duplicates = sorted(n for n, count in Counter(names).items() if count > 1)
        if duplicates:
            raise self.foreign(f"the archive holds {duplicates} more than once")
        if "metadata.npy" not in names:
            raise self.foreign(f"missing entries ['metadata.npy'] (it holds {sorted(names)[:10]})")
        if len(names) > 2 * MAX_LAYERS + 4:
            raise self.foreign(f"{len(names)} entries; a model file has at most {2 * MAX_LAYERS + 4}")
        others = sorted(n for n in names if not n.endswith(".npy") or _kind(n[:-len(".npy")]) not in _KINDS)
        if others:
            raise self.foreign(f"unexpected entries {others[:10]}")
        infos = {info.filename[:-len(".npy")]: info for info in archive.infolist()}
        infos = {"metadata": infos.pop("metadata"), **infos}
        for field, info in infos.items():
            if info.flag_bits & 0x1:
                raise self.fail(field, "the entry is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.fail(field, f"unsupported zip compression method {info.compress_type}")
            if info.header_offset + info.compress_size > file_size:
                raise self.fail(field, f"the entry claims {info.compress_size} bytes at offset "
                                       f"{info.header_offset}, past the end of the {file_size}-byte file")
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise self.fail(field, f"an uncompressed entry of {info.compress_size} bytes claims "
                                       f"{info.file_size} bytes of contents")
            if info.file_size > MAX_ARRAY_BYTES + _MAX_NPY_HEADER:
                raise self.fail(field, f"the entry claims {info.file_size} bytes, more than the "
                                       f"{MAX_ARRAY_BYTES} a model array may have")
        return infos

    def expect(self, infos: dict[str, zipfile.ZipInfo], fields: tuple[str, ...]) -> None:
        """The archive holds exactly the metadata and ``fields``."""
        missing = [f"{field}.npy" for field in fields if field not in infos]
        if missing:
            raise self.foreign(f"missing entries {missing} (it holds {sorted(infos)[:10]})")
        extra = sorted(f"{name}.npy" for name in set(infos) - set(fields) - {"metadata"})
        if extra:
            raise self.foreign(f"unexpected entries {extra[:10]}")

    # -- one .npy header
    def header(self, archive: zipfile.ZipFile, field: str,
               info: zipfile.ZipInfo) -> tuple[tuple[int, ...], bool, np.dtype, int]:
        """(shape, fortran_order, dtype, offset of the data) from the entry's
        .npy header, checked against the entry's size; nothing allocated."""
        try:
            shape, fortran_order, dtype, offset = self._read_header(archive, field, info)
        except (zipfile.BadZipFile, EOFError, OSError) as error:  # e.g. a bad CRC on a small entry
            raise self.fail(field, f"damaged entry ({type(error).__name__}: {error})") from None
        self.check_dtype(field, dtype)
        if any(d < 0 for d in shape):
            raise self.fail(field, f"negative dimension in shape {shape}")
        if len(shape) != _NDIMS[_kind(field)]:
            raise self.fail(field, f"expected a {_NDIMS[_kind(field)]}-d array, the header says shape {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > MAX_ARRAY_BYTES:
            raise self.fail(field, f"the header says shape {shape} of {dtype}: {nbytes} bytes, more than "
                                   f"the {MAX_ARRAY_BYTES} a model array may have")
        if offset + nbytes != info.file_size:
            raise self.fail(field, f"the header says shape {shape} of {dtype} ({nbytes} bytes) but the "
                                   f"entry holds {info.file_size - offset} bytes of data")
        return shape, fortran_order, dtype, offset

    def _read_header(self, archive: zipfile.ZipFile, field: str,
                     info: zipfile.ZipInfo) -> tuple[tuple[int, ...], bool, np.dtype, int]:
        fmt = np.lib.format
        with archive.open(info) as entry:
            magic = entry.read(len(_NPY_MAGIC))
            if magic != _NPY_MAGIC:
                raise self.fail(field, f"not a .npy array (starts with {magic!r})")
            version = entry.read(2)
            if version == b"\x01\x00":
                reader = fmt.read_array_header_1_0
            elif version == b"\x02\x00":
                reader = fmt.read_array_header_2_0
            else:
                raise self.fail(field, f".npy format version {tuple(version)} is not supported (1.0 or 2.0)")
            try:
                if _HEADER_SIZE_LIMIT:
                    shape, fortran_order, dtype = reader(entry, max_header_size=_MAX_NPY_HEADER)
                else:  # numpy < 1.24: no limit argument; the header length is at most 64 KiB anyway
                    shape, fortran_order, dtype = reader(entry)
            except (ValueError, TypeError, SyntaxError, OverflowError) as error:
                raise self.fail(field, f"unreadable .npy header ({error})") from None
            return shape, fortran_order, dtype, entry.tell()

    def check_dtype(self, field: str, dtype: np.dtype) -> None:
        if dtype.hasobject:
            raise self.fail(field, "holds Python objects (dtype object); a model file never does, "
                                   "and they are not unpickled")
        if dtype.fields is not None or dtype.subdtype is not None:
            raise self.fail(field, f"structured dtype {dtype} is not allowed")
        if dtype.itemsize == 0:
            raise self.fail(field, f"dtype {dtype} has items of 0 bytes")
        kinds = _KINDS[_kind(field)]
        if dtype.kind not in kinds or (dtype.kind == "f" and dtype.itemsize not in (4, 8)):
            allowed = {"U": "a unicode string", "f": "float32 or float64",
                       "biufUS": "booleans, integers, floats or strings"}[kinds]
            raise self.fail(field, f"dtype {dtype} ({dtype.kind!r}) is not allowed: expected {allowed}")
        if field == "metadata" and dtype.itemsize // 4 > MAX_METADATA_CHARS:
            raise self.fail(field, f"{dtype.itemsize // 4} characters, more than the "
                                   f"{MAX_METADATA_CHARS} allowed")

    # -- one array's data
    def data(self, archive: zipfile.ZipFile, field: str, info: zipfile.ZipInfo,
             header: tuple[tuple[int, ...], bool, np.dtype, int]) -> np.ndarray:
        """The array, read in chunks up to the byte count the header promised
        (already checked to be small enough), then checked to end there."""
        shape, fortran_order, dtype, offset = header
        nbytes = math.prod(shape) * dtype.itemsize
        buffer = bytearray()
        try:
            with archive.open(info) as entry:
                entry.read(offset)
                while len(buffer) < nbytes:
                    chunk = entry.read(min(_CHUNK, nbytes - len(buffer)))
                    if not chunk:
                        raise self.fail(field, f"truncated: {len(buffer)} of {nbytes} bytes of data")
                    buffer += chunk
                if entry.read(1):  # also makes zipfile check the entry's CRC
                    raise self.fail(field, "data continues past the size in its header")
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            if isinstance(error, ModelFileError):
                raise
            raise self.fail(field, f"damaged entry ({type(error).__name__}: {error})") from None
        array = np.frombuffer(buffer, dtype=dtype, count=math.prod(shape))
        array = array.reshape(shape, order="F" if fortran_order else "C")
        native = array.dtype.newbyteorder("=")  # a file written on a machine of the other byte order
        return np.asarray(array, dtype=native, order="C")  # 0-d stays 0-d (ascontiguousarray would not)


# ----- loading: the metadata ---------------------------------------------------------------
def _nesting_depth(text: str) -> int:
    """Deepest nesting of JSON brackets in ``text``, outside strings, found
    without parsing (json.loads itself would recurse and overflow the stack)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    repeated = sorted(k for k, count in Counter(k for k, _ in pairs).items() if count > 1)
    if repeated:
        raise ValueError(f"keys {repeated} appear more than once")
    return dict(pairs)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_metadata(reader: _Reader, array: np.ndarray) -> dict[str, Any]:
    text = str(array[()])
    depth = _nesting_depth(text)
    if depth > MAX_METADATA_DEPTH:
        raise reader.fail("metadata", f"JSON nested {depth} levels deep; a model's is "
                                      f"{MAX_METADATA_DEPTH} (the object and its params)")
    try:
        metadata = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except ValueError as error:  # JSONDecodeError, NaN/Infinity, repeated keys, huge integers
        raise reader.foreign(f"metadata is not valid JSON ({error})") from None
    if not isinstance(metadata, dict):
        raise reader.foreign(f"metadata is a JSON {type(metadata).__name__}, not an object")
    if metadata.get("format") != FORMAT:
        raise reader.foreign(f"metadata: format {metadata.get('format')!r}, expected {FORMAT!r}")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION or not _is_int(version):
        raise reader.fail("metadata.format_version", f"format version {version!r} is not supported "
                                                     f"(this package reads version {FORMAT_VERSION})")
    missing = [k for k in _REQUIRED_METADATA if k not in metadata]
    if missing:
        raise reader.fail("metadata", f"missing fields {missing}")
    name = metadata["class"]
    classes = _model_classes()
    if not isinstance(name, str) or name not in classes:
        raise reader.fail("metadata.class", f"unknown model class {name!r}; expected one of {sorted(classes)}")
    own = _MLP_METADATA if name == "MLPClassifier" else ()
    missing = [k for k in own if k not in metadata]
    if missing:
        raise reader.fail("metadata", f"missing fields {missing}")
    unknown = sorted(set(metadata) - set(_REQUIRED_METADATA) - set(_OPTIONAL_METADATA) - set(own))
    if unknown:
        raise reader.fail("metadata", f"unknown fields {unknown}")
    if "package_version" in metadata and not isinstance(metadata["package_version"], str):
        raise reader.fail("metadata.package_version", f"expected a string, got {metadata['package_version']!r}")
    for key, low in (("n_features_in_", 1), ("n_iter_", 0)):
        value = metadata[key]
        if not _is_int(value) or value < low:
            raise reader.fail(f"metadata.{key}", f"expected an integer >= {low}, got {value!r}")
    params = metadata["params"]
    if not isinstance(params, dict):
        raise reader.fail("metadata.params", f"expected an object of parameters, got {params!r}")
    known = classes[name]._param_names()
    for key, value in params.items():
        if key not in known:
            raise reader.fail(f"metadata.params.{key}", f"not a parameter of {name} (its parameters: {known})")
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise reader.fail(f"metadata.params.{key}", f"expected a number, a string or null, got {value!r}")
    if own:
        if "hidden_layer_sizes" in params:
            raise reader.fail("metadata.params.hidden_layer_sizes", "is not stored: the shapes of coefs_<k> give it")
        _check_mlp_metadata(reader, metadata)
    return metadata


def _check_mlp_metadata(reader: _Reader, metadata: dict[str, Any]) -> None:
    """An MLPClassifier's scalar attributes: types and ranges (their agreement with
    early_stopping is checked once the parameters are)."""
    layers, seen = metadata["n_layers_"], metadata["t_"]
    if not _is_int(layers) or not 2 <= layers <= MAX_LAYERS + 1:
        raise reader.fail("metadata.n_layers_", f"expected an integer in [2, {MAX_LAYERS + 1}], got {layers!r}")
    if not _is_int(seen) or seen < 0:
        raise reader.fail("metadata.t_", f"expected an integer >= 0, got {seen!r}")
    for key in ("best_loss_", "best_validation_score_"):
        value = metadata[key]
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise reader.fail(f"metadata.{key}", f"expected a number or null, got {value!r}")


def _build(reader: _Reader, metadata: dict[str, Any],
           headers: dict[str, tuple[tuple[int, ...], bool, np.dtype, int]]) -> Any:
    """The model with the file's parameters, checked as ``fit`` would check them."""
    name, params = metadata["class"], dict(metadata["params"])
    if name == "MLPClassifier":  # the width of every layer but the output one
        params["hidden_layer_sizes"] = tuple(headers[f"coefs_{k}"][0][1] for k in range(metadata["n_layers_"] - 2))
    model = _model_classes()[name](**params)
    try:
        model._check_params()
    except ImportError:
        pass  # e.g. solver="lbfgs" without scipy: predictions do not need it
    except (ValueError, TypeError) as error:
        raise reader.fail("metadata.params", str(error)) from None
    if not isinstance(params.get("average", False), bool):
        raise reader.fail("metadata.params.average", f"expected true or false, got {params['average']!r}")
    seed = params.get("random_state")
    if seed is not None and not _is_int(seed):
        raise reader.fail("metadata.params.random_state", f"expected an integer or null, got {seed!r}")
    if name == "MLPClassifier":
        early = model.early_stopping
        for key, wanted in (("best_loss_", not early), ("best_validation_score_", early)):
            if (metadata[key] is not None) != wanted:
                raise reader.fail(f"metadata.{key}", f"expected {'a number' if wanted else 'null'} with "
                                                     f"early_stopping={early}, got {metadata[key]!r}")
    return model


# ----- loading: arrays against each other --------------------------------------------------
def _check_shapes(reader: _Reader, metadata: dict[str, Any],
                  headers: dict[str, tuple[tuple[int, ...], bool, np.dtype, int]]) -> None:
    """Shapes and dtypes agree with each other and with the metadata (from the
    headers, before any array is read)."""
    if metadata["class"] == "MLPClassifier":
        _check_mlp_shapes(reader, metadata, headers)
        return
    (n_classes,) = headers["classes_"][0]
    binary = metadata["class"] == "LogisticRegression"
    if binary and n_classes != 2:
        raise reader.fail("classes_", f"a LogisticRegression has exactly 2 classes, the file has {n_classes}")
    if n_classes < 2:
        raise reader.fail("classes_", f"a classifier has at least 2 classes, the file has {n_classes}")
    rows, n = (1 if binary else n_classes), metadata["n_features_in_"]
    if headers["coef_"][0] != (rows, n):
        raise reader.fail("coef_", f"shape {headers['coef_'][0]}, expected {(rows, n)} for "
                                   f"{n_classes} classes and n_features_in_ = {n}")
    if headers["intercept_"][0] != (rows,):
        raise reader.fail("intercept_", f"shape {headers['intercept_'][0]}, expected {(rows,)}")
    coef_dtype, intercept_dtype = headers["coef_"][2], headers["intercept_"][2]
    if coef_dtype.newbyteorder("=") != intercept_dtype.newbyteorder("="):
        raise reader.fail("intercept_", f"dtype {intercept_dtype} differs from coef_'s {coef_dtype}")
    wanted = metadata["params"].get("dtype")
    if wanted is not None and np.dtype(wanted) != coef_dtype.newbyteorder("="):
        raise reader.fail("coef_", f"dtype {coef_dtype}, but the parameter dtype is {wanted!r}")


def _check_mlp_shapes(reader: _Reader, metadata: dict[str, Any],
                      headers: dict[str, tuple[tuple[int, ...], bool, np.dtype, int]]) -> None:
    """Each layer maps the previous one's width to its own: n_features_in_ → hidden
    sizes → 1 (two classes) or one output per class; one dtype throughout."""
    (n_classes,) = headers["classes_"][0]
    if n_classes < 2:
        raise reader.fail("classes_", f"a classifier has at least 2 classes, the file has {n_classes}")
    layers = metadata["n_layers_"] - 1
    widths = [metadata["n_features_in_"]] + [headers[f"coefs_{k}"][0][1] for k in range(layers - 1)]
    widths.append(1 if n_classes == 2 else n_classes)
    dtype = headers["coefs_0"][2].newbyteorder("=")
    for k in range(layers):
        for field, shape in ((f"coefs_{k}", (widths[k], widths[k + 1])), (f"intercepts_{k}", (widths[k + 1],))):
            if headers[field][0] != shape:
                raise reader.fail(field, f"shape {headers[field][0]}, expected {shape} (layer widths {widths} "
                                         f"for n_features_in_ = {widths[0]} and {n_classes} classes)")
            if headers[field][2].newbyteorder("=") != dtype:
                raise reader.fail(field, f"dtype {headers[field][2]} differs from coefs_0's {dtype}")
    n_iter = metadata["n_iter_"]
    if headers["loss_curve_"][0] != (n_iter,):
        raise reader.fail("loss_curve_", f"{headers['loss_curve_'][0][0]} values, one per epoch: "
                                         f"n_iter_ = {n_iter}")
    scores = n_iter if metadata["params"].get("early_stopping", False) else 0
    if headers["validation_scores_"][0] != (scores,):
        raise reader.fail("validation_scores_", f"{headers['validation_scores_'][0][0]} values, expected {scores} "
                                                "(one per epoch with early_stopping, else none)")


def _check_values(reader: _Reader, arrays: dict[str, np.ndarray]) -> None:
    for field in arrays:
        if field == "classes_":
            continue
        bad = ~np.isfinite(arrays[field])
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise reader.fail(field, f"{arrays[field][index]} at index {index}; a fitted model's values are finite")
    scores = arrays.get("validation_scores_")
    if scores is not None and ((scores < 0) | (scores > 1)).any():
        raise reader.fail("validation_scores_", "accuracies lie in [0, 1]")
    classes = arrays["classes_"]
    if classes.dtype.kind == "f" and not np.isfinite(classes).all():
        raise reader.fail("classes_", "a class label is NaN or infinite")
    if not np.array_equal(np.unique(classes), classes):
        raise reader.fail("classes_", f"labels must be distinct and sorted, as fit stores them; "
                                      f"got {classes.tolist()[:10]}")


def _read(reader: _Reader, path: str | os.PathLike[str]) -> tuple[dict[str, Any], Any, dict[str, np.ndarray]]:
    """(metadata, the unfitted model of its parameters, the arrays), all checked."""
    with open(path, "rb") as file:
        start = file.read(8)
        if start.startswith(_NPY_MAGIC):
            raise reader.foreign("it is a single .npy array (np.save), not the .npz archive model.save writes")
        if not start.startswith(_ZIP_MAGICS):
            raise reader.foreign(f"not a zip archive (it starts with {start!r})")
        file_size = os.fstat(file.fileno()).st_size
        try:
            with zipfile.ZipFile(file) as archive:
                infos = reader.entries(archive, file_size)
                headers = {field: reader.header(archive, field, infos[field]) for field in infos}
                metadata = _parse_metadata(reader, reader.data(archive, "metadata", infos["metadata"],
                                                               headers["metadata"]))
                fields = _array_fields(metadata)
                reader.expect(infos, fields)
                model = _build(reader, metadata, headers)
                _check_shapes(reader, metadata, headers)
                arrays = {field: reader.data(archive, field, infos[field], headers[field]) for field in fields}
        except ModelFileError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                NotImplementedError) as error:
            raise reader.foreign(f"damaged zip archive ({type(error).__name__}: {error})") from None
    _check_values(reader, arrays)
    return metadata, model, arrays


def load_model(path: str | os.PathLike[str]) -> Any:
    """Read a model written by ``model.save(path)``.

    The whole file is checked before the model is built; anything a save
    could not have written raises :class:`ModelFileError` (a ValueError)
    naming the file and the field. A missing file raises FileNotFoundError.
    """
    reader = _Reader(path)
    metadata, model, arrays = _read(reader, path)
    if metadata["class"] == "MLPClassifier":
        layers = metadata["n_layers_"] - 1
        model.coefs_ = [arrays[f"coefs_{k}"] for k in range(layers)]
        model.intercepts_ = [arrays[f"intercepts_{k}"] for k in range(layers)]
        model.n_layers_, model.t_ = metadata["n_layers_"], metadata["t_"]
        model.n_outputs_ = model.coefs_[-1].shape[1]
        model.out_activation_ = "logistic" if model.n_outputs_ == 1 else "softmax"
        model.best_loss_, model.best_validation_score_ = metadata["best_loss_"], metadata["best_validation_score_"]
        model.validation_scores_ = arrays["validation_scores_"].tolist() if model.early_stopping else None
    else:
        model.coef_, model.intercept_ = arrays["coef_"], arrays["intercept_"]
    model.classes_ = arrays["classes_"]
    model.n_iter_ = metadata["n_iter_"]
    model.loss_curve_ = arrays["loss_curve_"].tolist()
    model.n_features_in_ = metadata["n_features_in_"]  # last: the model counts as fitted from here on
    return model
