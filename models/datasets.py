"""Datasets for the lecture: the bundled Iris data and MNIST.

* :func:`load_iris` -- the corrected Iris data bundled with the package.
* :func:`load_mnist` -- the full MNIST (70,000 images), found locally or
  downloaded once from public mirrors into a cache folder.
* :func:`load_mnist_sample` -- a real 6,000-image MNIST sample bundled
  with the package (works offline).
* :func:`read_idx` -- read one (optionally gzipped) IDX file.

Results are :class:`Bunch` objects (dicts with attribute access), laid out
like scikit-learn's, so ``iris.data`` and ``iris["data"]`` both work.
Only numpy and the standard library are used; nothing is pickled.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import math
import os
import struct
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from importlib import resources
from pathlib import Path
from typing import IO, Any, Iterable, Sequence

import numpy as np

from ._progress import ProgressBar

__all__ = [
    "Bunch", "DatasetError", "DatasetNotFoundError", "ChecksumError",
    "MIRRORS", "MNIST_FILES", "load_iris", "read_idx", "load_mnist",
    "load_mnist_sample", "train_test_split_mnist", "mnist_search_folders",
]

# --------------------------------------------------------------------------
# Bunch and errors
# --------------------------------------------------------------------------


class Bunch(dict):
    """A dict whose keys are also attributes (like scikit-learn's Bunch)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delattr__(self, key: str) -> None:
        try:
            del self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {k for k in self if isinstance(k, str)})


class DatasetError(OSError):
    """Base class of the dataset download/lookup errors."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """The dataset files are missing and could not be downloaded."""


class ChecksumError(DatasetError, ValueError):
    """A downloaded file does not match its published checksum."""


# --------------------------------------------------------------------------
# Iris
# --------------------------------------------------------------------------

_DATA_PACKAGE = __package__ or "models"

IRIS_FEATURE_NAMES = ["sepal length (cm)", "sepal width (cm)",
                      "petal length (cm)", "petal width (cm)"]

IRIS_DESCR = """\
Iris plants dataset
-------------------
150 samples (50 per class), 4 numeric features (sepal length, sepal width,
petal length, petal width, in cm), 3 classes: setosa, versicolor, virginica.
R. A. Fisher, "The use of multiple measurements in taxonomic problems",
Annals of Eugenics 7(2), 1936; via the UCI Machine Learning Repository.

This is the corrected version: samples 35 and 38 follow Fisher's paper
(sample 35 is 4.9,3.1,1.5,0.2 and sample 38 is 4.9,3.6,1.4,0.1; the UCI file
has two errors there), the same data as scikit-learn's load_iris.
"""


def _data_file(name: str) -> Any:
    """Traversable for a file bundled in ``models/data``."""
    return resources.files(_DATA_PACKAGE).joinpath("data", name)


def load_iris(*, return_X_y: bool = False) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load the bundled (corrected) Iris dataset.

    Returns a :class:`Bunch` with keys ``data`` (150x4 float64), ``target``
    (150 int64), ``frame`` (None), ``target_names``, ``DESCR``,
    ``feature_names``, ``filename`` and ``data_module``, in scikit-learn's
    order. With ``return_X_y=True`` returns ``(data, target)`` instead.
    """
    text = _data_file("iris.csv").read_text(encoding="utf-8")
    header, _, body = text.partition("\n")
    n_samples, n_features, *names = header.strip().split(",")
    table = np.array([row.split(",") for row in body.split()], dtype=np.float64)
    if table.shape != (int(n_samples), int(n_features) + 1):
        raise ValueError(f"iris.csv: expected {n_samples}x{int(n_features) + 1} values, "
                         f"found {table.shape}")
    data = np.ascontiguousarray(table[:, :-1])
    target = table[:, -1].astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(data=data, target=target, frame=None,
                 target_names=np.array(names), DESCR=IRIS_DESCR,
                 feature_names=list(IRIS_FEATURE_NAMES), filename="iris.csv",
                 data_module=f"{_DATA_PACKAGE}.data")


# --------------------------------------------------------------------------
# IDX files
# --------------------------------------------------------------------------

_GZIP_MAGIC = b"\x1f\x8b"
_IDX_UBYTE = 0x08
_CHUNK = 1 << 16
_MAX_TRAILING_COUNT = 1 << 20  # extra bytes after the data are counted up to this, not stored
_MAX_INFLATE_RATIO = 1032  # deflate cannot expand data more than this (zlib's documented bound)


class _Expected:
    """What a standard MNIST file must be: its published size and sha256 of
    the uncompressed contents (None: only the IDX header is checked)."""

    def __init__(self, sha256: str, size: int):
        self.sha256, self.size = sha256, size


def _read_fully(stream: IO[bytes], view: memoryview) -> int:
    """Fill ``view`` from ``stream``; the number of bytes read (fewer at EOF)."""
    got = 0
    while got < len(view):
        n = stream.readinto(view[got:])
        if not n:
            break
        got += n
    return got


def _count_rest(stream: IO[bytes], limit: int) -> int:
    """Bytes left in ``stream``, read and dropped in chunks; stops past ``limit``."""
    total = 0
    while total <= limit and (chunk := stream.read(_CHUNK)):
        total += len(chunk)
    return total


def _idx_header(stream: IO[bytes], name: str) -> tuple[bytes, tuple[int, ...]]:
    """The raw header bytes and the dimensions it declares."""
    head = stream.read(4)
    if len(head) < 4:
        raise ValueError(f"{name}: truncated: {len(head)} bytes, too short for an IDX header")
    magic = struct.unpack(">I", head)[0]
    zero, dtype, ndim = struct.unpack(">HBB", head)
    if zero != 0 or ndim == 0:
        raise ValueError(f"{name}: bad magic number 0x{magic:08X}, not an IDX file "
                         "(expected 0x00000801 for labels, 0x00000803 for images)")
    if dtype != _IDX_UBYTE:
        raise ValueError(f"{name}: unsupported IDX data type 0x{dtype:02X} in magic number "
                         f"0x{magic:08X} (only 0x08 = unsigned byte is supported)")
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise ValueError(f"{name}: truncated: header of {ndim} dimensions needs {4 + 4 * ndim} bytes, "
                         f"file has {4 + len(sizes)}")
    return head + sizes, struct.unpack(f">{ndim}I", sizes)


def _read_idx_stream(stream: IO[bytes], name: str, most: int,
                     expected: _Expected | None = None) -> np.ndarray:
    """Parse an uncompressed IDX stream into a uint8 array of the declared shape.

    The header is read and checked first: against ``most``, the most data
    the file can hold (its size, or what its gzip size can expand to), and
    with ``expected`` against the published size, so memory is allocated only
    for data that can exist. Reading stops one byte past the declared data
    (trailing bytes are counted, not kept); with ``expected`` the sha256 of
    the contents is checked too.
    """
    header, dims = _idx_header(stream, name)
    count = math.prod(dims)
    promise = f"header promises {'x'.join(map(str, dims))} = {count} bytes of data"
    if expected is not None and len(header) + count != expected.size:
        raise ChecksumError(f"{name}: size mismatch: {promise} ({len(header) + count} bytes in all), "
                            f"the published file has {expected.size}")
    if count > most:  # cannot be there: say how much is, without keeping it
        raise ValueError(f"{name}: truncated: {promise}, file has {_count_rest(stream, most)}")
    data = bytearray(count)
    have = _read_fully(stream, memoryview(data))
    if have < count:
        raise ValueError(f"{name}: truncated: {promise}, file has {have}")
    extra = _count_rest(stream, _MAX_TRAILING_COUNT)
    if extra:
        amount = f"{extra}" if extra <= _MAX_TRAILING_COUNT else f"more than {_MAX_TRAILING_COUNT}"
        raise ValueError(f"{name}: trailing garbage: {promise}, file has {amount} extra bytes")
    if expected is not None:
        digest = hashlib.sha256(header)
        digest.update(data)
        if digest.hexdigest() != expected.sha256:
            raise ChecksumError(f"{name}: checksum mismatch: sha256 of the uncompressed contents is "
                                f"{digest.hexdigest()}, expected the published {expected.sha256}")
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def _read_idx_file(file: IO[bytes], name: str, gzipped: bool,
                   expected: _Expected | None = None) -> np.ndarray:
    """An IDX array from a seekable binary file, gzipped if ``gzipped`` or if
    it starts with the gzip magic; gzip is decompressed as it is read."""
    size = file.seek(0, os.SEEK_END)
    file.seek(0)
    start = file.read(2)
    file.seek(0)
    if not (gzipped or start == _GZIP_MAGIC):
        return _read_idx_stream(file, name, size, expected)
    try:
        with gzip.GzipFile(fileobj=file, mode="rb") as stream:
            return _read_idx_stream(stream, name, _MAX_INFLATE_RATIO * size, expected)
    except EOFError:
        raise ValueError(f"{name}: truncated gzip data (compressed stream ends early)") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(f"{name}: corrupt gzip data ({exc})") from None


def _parse_idx(data: bytes, name: str) -> np.ndarray:
    """Parse uncompressed IDX bytes into a uint8 array of the declared shape."""
    return _read_idx_stream(io.BytesIO(data), name, len(data))


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (gzipped if named ``*.gz`` or gzip-magic) as uint8.

    Raises ``ValueError`` naming the file for a bad magic number, a
    non-uint8 type, a truncated file or trailing bytes. A gzip file is
    decompressed as it is read: at most the size its header declares is
    held in memory, however much data follows.
    """
    path = Path(path)
    with open(path, "rb") as file:
        return _read_idx_file(file, path.name, path.suffix == ".gz")


def _check_pair(images: np.ndarray, labels: np.ndarray, images_name: str,
                labels_name: str) -> None:
    """ValueError naming both files unless they form an MNIST images/labels pair."""
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{images_name}: expected N x 28 x 28 images, got shape {images.shape}")
    if labels.ndim != 1:
        raise ValueError(f"{labels_name}: expected a 1-d label file, got shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"count mismatch: {images_name} has {len(images)} images "
                         f"but {labels_name} has {len(labels)} labels")


# --------------------------------------------------------------------------
# MNIST
# --------------------------------------------------------------------------

#: name -> (sha256 of the UNCOMPRESSED file, uncompressed size in bytes)
MNIST_FILES: dict[str, tuple[str, int]] = {
    "train-images-idx3-ubyte":
        ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47_040_016),
    "train-labels-idx1-ubyte":
        ("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60_008),
    "t10k-images-idx3-ubyte":
        ("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7_840_016),
    "t10k-labels-idx1-ubyte":
        ("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10_008),
}
_TRAIN_IMAGES, _TRAIN_LABELS, _TEST_IMAGES, _TEST_LABELS = MNIST_FILES

#: Public mirrors serving the four ``*.gz`` files, tried in order.
MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

_TIMEOUT = 30.0  # seconds one network operation may wait
_MIN_RATE = 100_000  # bytes of uncompressed contents per second, for the default deadline
_STALE_PART_SECONDS = 3600.0  # a .part file untouched this long is a killed download's

MNIST_DESCR = """\
MNIST handwritten digits
------------------------
70,000 grayscale 28x28 images (784 uint8 pixels, 0 = background) of the
digits 0-9: the 60,000 training images first, then the 10,000 test images
(split with train_test_split_mnist, at n_train).
Y. LeCun, C. Cortes, C. J. C. Burges. Licence: Creative Commons
Attribution-Share Alike 3.0. Cite LeCun et al., 'Gradient-based learning
applied to document recognition', Proc. IEEE 86(11), 1998.
"""

MNIST_SAMPLE_DESCR = """\
MNIST handwritten digits -- bundled sample
------------------------------------------
6,000 grayscale 28x28 images (784 uint8 pixels) of the digits 0-9: the
first 5,000 training images, then the first 1,000 test images of MNIST,
unchanged (split with train_test_split_mnist, at n_train = 5000).
Y. LeCun, C. Cortes, C. J. C. Burges. Licence: Creative Commons
Attribution-Share Alike 3.0. Cite LeCun et al., 'Gradient-based learning
applied to document recognition', Proc. IEEE 86(11), 1998.
"""

_FEATURE_NAMES = [f"pixel{i}" for i in range(1, 785)]


def _cache_folder() -> Path:
    """``$XDG_CACHE_HOME/autodiff/mnist`` or ``~/.cache/autodiff/mnist``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "autodiff" / "mnist"


def mnist_search_folders(path: str | os.PathLike[str] | None = None,
                         cache_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Folders searched for the MNIST files, in order.

    ``path``, then ``$AUTODIFF_DATA`` and ``$AUTODIFF_DATA/mnist``, then the
    cache folder (``cache_dir`` or the user cache folder).
    """
    folders = [Path(path)] if path is not None else []
    env = os.environ.get("AUTODIFF_DATA")
    if env:
        folders += [Path(env), Path(env) / "mnist"]
    folders.append(Path(cache_dir) if cache_dir is not None else _cache_folder())
    unique: list[Path] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def _find(name: str, folders: Iterable[Path]) -> Path | None:
    """First existing ``name.gz`` or ``name`` in ``folders``."""
    for folder in folders:
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.is_file():
                return candidate
    return None


def _guidance(folders: Sequence[Path]) -> str:
    """Where to put the MNIST files by hand."""
    where = "\n".join(f"  {f}" for f in folders)
    names = "\n".join(f"  {n}.gz  (or uncompressed: {n})" for n in MNIST_FILES)
    return (f"Folders searched, in order:\n{where}\n"
            f"Put these 4 files into one of them (or into the folder named by the "
            f"environment variable $AUTODIFF_DATA, or its mnist/ subfolder):\n{names}")


def _writable_folder(candidates: Iterable[Path]) -> Path | None:
    """First candidate folder that exists (or can be created) and is writable."""
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


def _expected(name: str) -> _Expected:
    sha256, size = MNIST_FILES[name]
    return _Expected(sha256, size)


def _byte_cap(size: int) -> int:
    """Most bytes a mirror may send for a file of ``size`` uncompressed bytes:
    the file itself, or its gzip at worst stored (5 bytes of framing per
    64 KiB block) plus header and trailer."""
    return size + 5 * (size // 65535 + 1) + 1024


def _deadline(size: int) -> float:
    """Seconds allowed for one file: a minute, plus 10 s per MB of contents
    (a tenth of a megabyte per second of uncompressed data, about 20 kB/s of gzip)."""
    return 60.0 + size / _MIN_RATE


class _Transfer:
    """Limits of one download: a byte cap and a wall-clock deadline."""

    def __init__(self, cap: int, deadline: float, timeout: float):
        self.cap, self.seconds, self.timeout = cap, deadline, timeout
        self.ends = time.monotonic() + deadline

    def check(self, received: int) -> None:
        if received > self.cap:
            raise ValueError(f"too large: the mirror sent more than {self.cap} bytes, the most this "
                             f"file can take (stopped after {received})")
        if time.monotonic() > self.ends:
            raise TimeoutError(f"deadline: the transfer took more than {self.seconds:g} s "
                               f"({received} bytes received)")

    def read_timeout(self) -> float:
        """Seconds a single network operation may wait: the per-read timeout,
        or less when the deadline is nearer."""
        return max(min(self.timeout, self.ends - time.monotonic()), 0.001)


def _fetch(url: str, out: IO[bytes], desc: str, progress: bool | None, limits: _Transfer) -> None:
    """Stream ``url`` into ``out`` within ``limits``; ValueError if fewer bytes than announced."""
    with urllib.request.urlopen(url, timeout=limits.read_timeout()) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if total is not None and total > limits.cap:
            raise ValueError(f"too large: the mirror announces {total} bytes, more than the {limits.cap} "
                             "this file can take")
        received = 0
        with ProgressBar(total, desc=desc, unit="B", enabled=progress) as bar:
            # read1: whatever has arrived (at most a chunk), so a trickle meets the deadline
            while chunk := response.read1(_CHUNK):
                received += len(chunk)
                limits.check(received)
                out.write(chunk)
                bar.update(len(chunk))
        if total is not None and received < total:
            raise ValueError(f"truncated transfer: received {received} of {total} bytes")


def _remove_stale_parts(folder: Path, name: str) -> None:
    """Partial downloads left by a process that was killed (an exception or
    Ctrl-C removes its own): any not written to for an hour."""
    for part in folder.glob(f".{name}.*.part"):
        try:
            if time.time() - part.stat().st_mtime > _STALE_PART_SECONDS:
                part.unlink()
        except OSError:
            pass


def _download(name: str, folder: Path, mirrors: Sequence[str], progress: bool | None, verify: bool,
              timeout: float, deadline: float | None) -> tuple[Path | None, np.ndarray | None, list[str], bool]:
    """Try each mirror for ``name``; check the file, then move it into ``folder``.

    Returns (final path, its array, one failure message per failed mirror,
    whether any failure was a checksum mismatch); (None, None, ...) if every
    mirror failed. No partial file survives, whatever the failure.
    """
    expected = _expected(name)
    failures: list[str] = []
    bad_checksum = False
    _remove_stale_parts(folder, name)
    for mirror in mirrors:
        url = mirror.rstrip("/") + f"/{name}.gz"
        limits = _Transfer(_byte_cap(expected.size),
                           _deadline(expected.size) if deadline is None else deadline, timeout)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w+b") as part:
                _fetch(url, part, name, progress, limits)
                part.seek(0)
                gzipped = part.read(2) == _GZIP_MAGIC
                array = _read_idx_file(part, url, gzipped, expected if verify else None)
                part.flush()
                os.fsync(part.fileno())
            final = folder / (f"{name}.gz" if gzipped else name)
            os.replace(tmp, final)
            return final, array, failures, bad_checksum
        except ChecksumError as exc:
            bad_checksum = True
            failures.append(f"{url}: {str(exc).removeprefix(url + ': ')}")
        except urllib.error.HTTPError as exc:
            failures.append(f"{url}: HTTP error {exc.code} {exc.reason}")
        except urllib.error.URLError as exc:
            failures.append(f"{url}: network error ({exc.reason})")
        except (OSError, ValueError, EOFError, http.client.HTTPException) as exc:
            message = str(exc).removeprefix(url + ": ")
            failures.append(f"{url}: {message}" if isinstance(exc, (ValueError, TimeoutError))
                            else f"{url}: {type(exc).__name__}: {message}")
        finally:
            tmp.unlink(missing_ok=True)  # also on Ctrl-C
    return None, None, failures, bad_checksum


def _locate_mnist(path: str | os.PathLike[str] | None, download: bool, progress: bool | None,
                  mirrors: Sequence[str] | None, cache_dir: str | os.PathLike[str] | None,
                  verify: bool, timeout: float, deadline: float | None) -> tuple[dict[str, Path], dict[str, np.ndarray]]:
    """Paths of the four MNIST files, downloading missing ones if allowed,
    and the arrays of those just downloaded (already read and checked)."""
    folders = mnist_search_folders(path, cache_dir)
    found = {name: _find(name, folders) for name in MNIST_FILES}
    missing = [name for name, p in found.items() if p is None]
    if not missing:
        return found, {}  # type: ignore[return-value]
    names = ", ".join(missing)
    if not download:
        raise DatasetNotFoundError(f"MNIST files not found ({names}) and download=False.\n"
                                   + _guidance(folders))
    targets = [Path(path)] if path is not None else []
    targets.append(Path(cache_dir) if cache_dir is not None else _cache_folder())
    folder = _writable_folder(targets)
    if folder is None:
        raise DatasetNotFoundError(
            f"MNIST files not found ({names}) and no writable folder to download them to "
            f"(tried {', '.join(map(str, targets))}).\n" + _guidance(folders))
    mirrors = MIRRORS if mirrors is None else list(mirrors)
    downloaded: dict[str, np.ndarray] = {}
    for name in missing:
        final, array, failures, bad_checksum = _download(name, folder, mirrors, progress, verify,
                                                         timeout, deadline)
        if final is None:
            error = ChecksumError if bad_checksum else DatasetNotFoundError
            report = "\n".join(f"  {f}" for f in failures) or "  (no mirrors configured)"
            raise error(f"Could not download MNIST file {name}.gz into {folder}; "
                        f"every mirror failed:\n{report}\n" + _guidance(folders))
        found[name], downloaded[name] = final, array
    return found, downloaded  # type: ignore[return-value]


def _read_local(path: Path, verify: bool) -> np.ndarray:
    """A local MNIST file, checked against its published sha256 if ``verify``."""
    name = path.name.removesuffix(".gz")
    with open(path, "rb") as file:
        try:
            return _read_idx_file(file, str(path), path.suffix == ".gz",
                                  _expected(name) if verify else None)
        except ChecksumError as exc:
            raise ChecksumError(f"{exc}\nThis is not the standard MNIST file: delete it to download "
                                "it again, or pass verify=False to use a variant with the same "
                                "file names (e.g. Fashion-MNIST).") from None


def _mnist_bunch(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                 test_y: np.ndarray, names: Sequence[str], descr: str) -> Bunch:
    """Check both pairs and concatenate train then test, as fetch_openml does."""
    _check_pair(train_x, train_y, names[0], names[1])
    _check_pair(test_x, test_y, names[2], names[3])
    data = np.concatenate([train_x.reshape(len(train_x), -1), test_x.reshape(len(test_x), -1)])
    target = np.concatenate([train_y, test_y])
    return Bunch(data=data, target=target, n_train=len(train_x),
                 feature_names=list(_FEATURE_NAMES), DESCR=descr)


def load_mnist(path: str | os.PathLike[str] | None = None, download: bool = True, *,
               progress: bool | None = None, sample: bool = False,
               mirrors: Sequence[str] | None = None,
               cache_dir: str | os.PathLike[str] | None = None,
               verify: bool = True, timeout: float = _TIMEOUT,
               deadline: float | None = None) -> Bunch:
    """Load the full MNIST: 60,000 training then 10,000 test images.

    The four standard files (``train-images-idx3-ubyte`` etc., ``.gz`` or
    raw) are looked up in ``path``, then ``$AUTODIFF_DATA`` (and its
    ``mnist/`` subfolder), then the cache folder (``cache_dir``, default
    ``$XDG_CACHE_HOME/autodiff/mnist`` or ``~/.cache/autodiff/mnist``).
    Missing files are downloaded (if ``download``) from ``mirrors``
    (default :data:`MIRRORS`), checked, and moved into ``path`` (if given
    and writable) or the cache folder; a failed download leaves no file.

    ``verify`` (default True): every file, found or downloaded, must match
    the published size and sha256 of the standard MNIST file of its name
    (:data:`MNIST_FILES`); pass False for a variant with the same names.
    ``timeout``: seconds one network read may wait; ``deadline``: seconds one
    file's download may take in all (default: a minute plus 10 s per MB).
    A mirror may send no more than the file's published size (plus gzip
    framing), and gzip is decompressed as it is read, never past that size.
    ``progress``: show a download bar (None = only on a terminal).
    ``sample=True`` returns :func:`load_mnist_sample` instead.

    Returns a :class:`Bunch` with ``data`` (70000, 784) uint8, ``target``
    (70000,) uint8, ``n_train`` (60000), ``feature_names`` and ``DESCR``.

    Raises :class:`DatasetNotFoundError` if files are missing and cannot be
    downloaded, :class:`ChecksumError` if a file is not the published one,
    and ``ValueError`` for malformed local files.
    """
    if sample:
        return load_mnist_sample()
    files, downloaded = _locate_mnist(path, download, progress, mirrors, cache_dir, verify, timeout, deadline)
    arrays = [downloaded[name] if name in downloaded else _read_local(files[name], verify)
              for name in MNIST_FILES]
    names = [str(files[name]) for name in MNIST_FILES]
    return _mnist_bunch(*arrays, names=names, descr=MNIST_DESCR)


def load_mnist_sample() -> Bunch:
    """The bundled MNIST sample: first 5,000 training + first 1,000 test images.

    Same layout as :func:`load_mnist`: ``data`` (6000, 784) uint8,
    ``target`` (6000,) uint8, ``n_train`` = 5000. Works offline.
    """
    arrays, names = [], []
    for name in MNIST_FILES:
        file_name = f"mnist-sample-{name}.gz"
        raw = io.BytesIO(_data_file(file_name).read_bytes())
        arrays.append(_read_idx_file(raw, file_name, True))
        names.append(file_name)
    return _mnist_bunch(*arrays, names=names, descr=MNIST_SAMPLE_DESCR)


def train_test_split_mnist(bunch: Bunch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split an MNIST bunch at ``n_train``: ``X_train, X_test, y_train, y_test``."""
    n = bunch["n_train"]
    X, y = bunch["data"], bunch["target"]
    return X[:n], X[n:], y[:n], y[n:]
