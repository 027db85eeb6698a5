"""Tests for models.datasets (Iris, IDX reading, MNIST sample and download)
and models._progress."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import struct
import threading
import time
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest

from models import datasets
from models._progress import ProgressBar, progress
from models.datasets import (Bunch, ChecksumError, DatasetNotFoundError, load_iris,
                             load_mnist, load_mnist_sample, read_idx,
                             train_test_split_mnist)

# Captured before the autouse fixture below removes it from the environment.
REAL_DATA = os.environ.get("AUTODIFF_DATA")

NAMES = list(datasets.MNIST_FILES)
TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = NAMES


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Never touch the real cache or a real $AUTODIFF_DATA."""
    monkeypatch.delenv("AUTODIFF_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """Serialise a uint8 array as IDX (optionally with a forced magic number)."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 | array.ndim
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def fake_mnist(n_train: int = 3, n_test: int = 2, seed: int = 0) -> dict[str, bytes]:
    """Uncompressed contents of four small, valid MNIST-like files."""
    rng = np.random.default_rng(seed)
    return {
        TRAIN_IMAGES: idx_bytes(rng.integers(0, 256, (n_train, 28, 28))),
        TRAIN_LABELS: idx_bytes(np.arange(n_train) % 10),
        TEST_IMAGES: idx_bytes(rng.integers(0, 256, (n_test, 28, 28))),
        TEST_LABELS: idx_bytes((np.arange(n_test) + 7) % 10),
    }


def write_files(folder: Path, files: dict[str, bytes], gz: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data, mtime=0))
        else:
            (folder / name).write_bytes(data)


def inject_checksums(monkeypatch, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        monkeypatch.setitem(datasets.MNIST_FILES, name,
                            (hashlib.sha256(data).hexdigest(), len(data)))


# --------------------------------------------------------------------------
# Bunch and Iris
# --------------------------------------------------------------------------


def test_bunch_attribute_access():
    b = Bunch(a=1)
    b.c = 3
    assert b.a == b["a"] == 1 and b["c"] == 3
    assert "c" in dir(b)
    with pytest.raises(AttributeError):
        b.missing


def test_iris_layout():
    iris = load_iris()
    assert list(iris.keys()) == ["data", "target", "frame", "target_names", "DESCR",
                                 "feature_names", "filename", "data_module"]
    assert iris.data is iris["data"]
    assert iris.data.shape == (150, 4) and iris.data.dtype == np.float64
    assert iris.target.shape == (150,) and iris.target.dtype == np.int64
    assert iris.frame is None
    assert list(iris.target_names) == ["setosa", "versicolor", "virginica"]
    assert isinstance(iris.target_names, np.ndarray)
    assert iris.feature_names == ["sepal length (cm)", "sepal width (cm)",
                                  "petal length (cm)", "petal width (cm)"]
    assert "corrected version: samples 35 and 38 follow Fisher's paper" in iris.DESCR


def test_iris_values():
    iris = load_iris()
    np.testing.assert_array_equal(iris.data[0], [5.1, 3.5, 1.4, 0.2])
    assert np.bincount(iris.target).tolist() == [50, 50, 50]
    np.testing.assert_array_equal(iris.data[34], [4.9, 3.1, 1.5, 0.2])  # sample 35
    np.testing.assert_array_equal(iris.data[37], [4.9, 3.6, 1.4, 0.1])  # sample 38
    X, y = load_iris(return_X_y=True)
    np.testing.assert_array_equal(X, iris.data)
    np.testing.assert_array_equal(y, iris.target)


# --------------------------------------------------------------------------
# read_idx
# --------------------------------------------------------------------------


@pytest.mark.parametrize("file_name, compress", [
    ("imgs-idx3-ubyte.gz", True), ("imgs-idx3-ubyte", False), ("no-suffix", True)])
def test_read_idx_good(tmp_path, file_name, compress):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    data = idx_bytes(images)
    (tmp_path / file_name).write_bytes(gzip.compress(data) if compress else data)
    out = read_idx(tmp_path / file_name)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, images)
    labels = np.array([3, 1, 4], dtype=np.uint8)
    (tmp_path / "l.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    np.testing.assert_array_equal(read_idx(tmp_path / "l.gz"), labels)


def _bad(tmp_path: Path, name: str, data: bytes, *fragments: str) -> None:
    (tmp_path / name).write_bytes(gzip.compress(data))
    with pytest.raises(ValueError) as info:
        read_idx(tmp_path / name)
    message = str(info.value)
    assert name in message
    for fragment in fragments:
        assert fragment in message


def test_read_idx_wrong_magic(tmp_path):
    data = idx_bytes(np.zeros((2, 28, 28)), magic=0x12340803)
    _bad(tmp_path, "bad-magic.gz", data, "magic", "0x12340803")


def test_read_idx_unsupported_dtype(tmp_path):
    data = idx_bytes(np.zeros(3), magic=0x00000D01)  # 0x0D = float
    _bad(tmp_path, "floats.gz", data, "0x0D")


def test_read_idx_truncated(tmp_path):
    data = idx_bytes(np.zeros((60000, 28, 28), dtype=np.uint8))[:16 + 1000]
    _bad(tmp_path, "train-images-idx3-ubyte.gz", data,
         "truncated: header promises 60000x28x28 = 47040000 bytes of data, file has 1000")


def test_read_idx_truncated_header(tmp_path):
    _bad(tmp_path, "short.gz", idx_bytes(np.zeros((2, 28, 28)))[:9], "truncated")


def test_read_idx_trailing_bytes(tmp_path):
    data = idx_bytes(np.zeros(5)) + b"junk"
    _bad(tmp_path, "labels.gz", data, "trailing", "4 extra bytes")


def test_read_idx_truncated_gzip(tmp_path):
    compressed = gzip.compress(idx_bytes(np.arange(1000) % 256))
    (tmp_path / "cut.gz").write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match="cut.gz"):
        read_idx(tmp_path / "cut.gz")


def test_count_mismatch_names_both_files(tmp_path):
    files = fake_mnist()
    files[TRAIN_LABELS] = idx_bytes(np.arange(2))  # 3 images, 2 labels
    write_files(tmp_path / "d", files)
    with pytest.raises(ValueError) as info:
        load_mnist(tmp_path / "d", download=False, verify=False)
    message = str(info.value)
    assert f"{TRAIN_IMAGES}.gz" in message and f"{TRAIN_LABELS}.gz" in message
    assert "3 images" in message and "2 labels" in message


# --------------------------------------------------------------------------
# MNIST from local files and the bundled sample
# --------------------------------------------------------------------------


def _expected(files: dict[str, bytes]) -> tuple[np.ndarray, np.ndarray]:
    arrays = {n: datasets._parse_idx(d, n) for n, d in files.items()}
    data = np.concatenate([arrays[TRAIN_IMAGES].reshape(-1, 784),
                           arrays[TEST_IMAGES].reshape(-1, 784)])
    return data, np.concatenate([arrays[TRAIN_LABELS], arrays[TEST_LABELS]])


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_from_path(tmp_path, gz, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    write_files(tmp_path / "d", files, gz=gz)
    mnist = load_mnist(tmp_path / "d", download=False)
    data, target = _expected(files)
    assert mnist.data.shape == (5, 784) and mnist.data.dtype == np.uint8
    assert mnist.target.dtype == np.uint8 and mnist.n_train == 3
    np.testing.assert_array_equal(mnist.data, data)
    np.testing.assert_array_equal(mnist.target, target)
    assert len(mnist.feature_names) == 784
    assert "Creative Commons" in mnist.DESCR
    X_train, X_test, y_train, y_test = train_test_split_mnist(mnist)
    assert X_train.shape == (3, 784) and X_test.shape == (2, 784)
    np.testing.assert_array_equal(y_test, target[3:])


@pytest.mark.parametrize("sub", ["", "mnist"])
def test_load_mnist_from_env(tmp_path, monkeypatch, sub):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    write_files(tmp_path / "data" / sub, files)
    monkeypatch.setenv("AUTODIFF_DATA", str(tmp_path / "data"))
    assert load_mnist(download=False).data.shape == (5, 784)


def test_load_mnist_from_cache(tmp_path):
    write_files(tmp_path / "xdg-cache" / "autodiff" / "mnist", fake_mnist())
    assert load_mnist(download=False, verify=False).n_train == 3


def test_sample():
    sample = load_mnist_sample()
    assert sample.data.shape == (6000, 784) and sample.data.dtype == np.uint8
    assert sample.target.shape == (6000,) and sample.n_train == 5000
    assert sample.target.min() == 0 and sample.target.max() == 9
    assert set(np.unique(sample.target)) == set(range(10))
    assert sample.target[0] == 5  # the first MNIST training digit is a 5
    assert sample.target[5000] == 7  # ... and the first test digit a 7
    assert "Creative Commons" in sample.DESCR
    X_train, X_test, y_train, y_test = train_test_split_mnist(sample)
    assert X_train.shape == (5000, 784) and X_test.shape == (1000, 784)
    assert y_train.shape == (5000,) and y_test.shape == (1000,)
    np.testing.assert_array_equal(load_mnist(sample=True).data, sample.data)


# --------------------------------------------------------------------------
# download against a loopback HTTP server
# --------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.routes``: url path -> (body, announced Content-Length),
    or a function(handler) that answers the request itself."""

    def do_GET(self):  # noqa: N802
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        if callable(route):
            try:
                route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should
            return
        body, length = route
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)  # HTTP/1.0: the connection closes afterwards

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A loopback HTTP server (127.0.0.1 only) in a thread of this process;
    slow routes stop when ``server.stopping`` is set, at teardown."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.routes, srv.requests, srv.stopping = {}, [], threading.Event()
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    yield srv
    srv.stopping.set()
    srv.shutdown()
    srv.server_close()
    thread.join()


def serve(srv, prefix: str, files: dict[str, bytes], extra_length: int = 0) -> str:
    """Publish gzipped ``files`` under ``prefix``; return the mirror URL."""
    for name, data in files.items():
        body = gzip.compress(data, mtime=0)
        srv.routes[f"{prefix}{name}.gz"] = (body, len(body) + extra_length)
    return srv.base + prefix


def test_download_good(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    mirror = serve(server, "/mnist/", files)
    mnist = load_mnist(download=True, mirrors=[mirror], progress=False)
    data, target = _expected(files)
    np.testing.assert_array_equal(mnist.data, data)
    np.testing.assert_array_equal(mnist.target, target)
    cache = tmp_path / "xdg-cache" / "autodiff" / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(f"{n}.gz" for n in NAMES)
    # second call: found in the cache, no new requests
    count = len(server.requests)
    load_mnist(mirrors=[mirror])
    assert len(server.requests) == count


def test_download_into_path(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    mirror = serve(server, "/m/", files)
    target = tmp_path / "mine"
    load_mnist(target, mirrors=[mirror], progress=False)
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{n}.gz" for n in NAMES)


def test_download_progress_bar(tmp_path, server, monkeypatch, capsys):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    load_mnist(tmp_path / "d", mirrors=[serve(server, "/m/", files)], progress=True)
    err = capsys.readouterr().err
    assert "100%" in err and TRAIN_IMAGES in err


def _assert_nothing_written(folder: Path) -> None:
    assert not folder.exists() or list(folder.iterdir()) == []


def test_download_checksum_mismatch(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    monkeypatch.setitem(datasets.MNIST_FILES, TRAIN_IMAGES,
                        ("0" * 64, len(files[TRAIN_IMAGES])))
    mirror = serve(server, "/m/", files)
    with pytest.raises(ChecksumError) as info:
        load_mnist(tmp_path / "d", mirrors=[mirror], progress=False)
    assert isinstance(info.value, OSError)
    message = str(info.value)
    assert "checksum mismatch" in message and f"{mirror}{TRAIN_IMAGES}.gz" in message
    _assert_nothing_written(tmp_path / "d")


def test_download_truncated_transfer(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    mirror = serve(server, "/m/", files, extra_length=1000)
    with pytest.raises(DatasetNotFoundError, match="truncated"):
        load_mnist(tmp_path / "d", mirrors=[mirror], progress=False)
    _assert_nothing_written(tmp_path / "d")


def test_download_truncated_gzip(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    body = gzip.compress(files[TRAIN_IMAGES])[:-100]  # honest length, cut stream
    server.routes[f"/m/{TRAIN_IMAGES}.gz"] = (body, len(body))
    with pytest.raises(DatasetNotFoundError, match="gzip"):
        load_mnist(tmp_path / "d", mirrors=[server.base + "/m/"], progress=False)
    _assert_nothing_written(tmp_path / "d")


def test_download_404_names_url(tmp_path, server, monkeypatch):
    inject_checksums(monkeypatch, fake_mnist())
    mirror = server.base + "/nothing/"
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist(tmp_path / "d", mirrors=[mirror], progress=False)
    message = str(info.value)
    assert f"{mirror}{TRAIN_IMAGES}.gz" in message and "404" in message
    assert "$AUTODIFF_DATA" in message
    _assert_nothing_written(tmp_path / "d")


def test_download_falls_back_to_second_mirror(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    good = serve(server, "/good/", files)
    mnist = load_mnist(tmp_path / "d", mirrors=[server.base + "/bad/", good], progress=False)
    assert mnist.n_train == 3
    assert f"/bad/{TRAIN_IMAGES}.gz" in server.requests
    assert f"/good/{TRAIN_IMAGES}.gz" in server.requests


# ----- limits of a download: deadline, byte cap, streamed decompression, leftovers -------------


def _all_files(folder: Path) -> list[str]:
    """Every file under ``folder``, hidden ones (.part) included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def trickle(handler, length=2000, delay=0.05):
    """Announce ``length`` bytes, then send one byte every ``delay`` seconds."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(length))
    handler.end_headers()
    for _ in range(length):
        if handler.server.stopping.wait(delay):
            return
        handler.wfile.write(b"\0")
        handler.wfile.flush()


def flood(handler, total=16 << 20):
    """No Content-Length (HTTP/1.0: the body ends when the connection does): 16 MiB."""
    handler.send_response(200)
    handler.end_headers()
    block = b"\0" * 65536
    for _ in range(total // len(block)):
        if handler.server.stopping.is_set():
            return
        handler.wfile.write(block)


def test_trickling_mirror_meets_the_deadline(tmp_path, server, monkeypatch):
    """A byte every 50 ms never trips the per-read timeout; the per-file deadline stops it."""
    inject_checksums(monkeypatch, fake_mnist())
    server.routes[f"/slow/{TRAIN_IMAGES}.gz"] = trickle
    start = time.monotonic()
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist(tmp_path / "d", mirrors=[server.base + "/slow/"], progress=False,
                   timeout=5.0, deadline=0.5)
    elapsed = time.monotonic() - start
    assert "deadline: the transfer took more than 0.5 s" in str(info.value)
    assert 0.5 <= elapsed < 3.0
    assert _all_files(tmp_path / "d") == []


def test_default_deadline_grows_with_the_file():
    assert datasets._deadline(10_008) == pytest.approx(60.10008)
    assert datasets._deadline(47_040_016) == pytest.approx(60 + 470.40016)


def test_announced_size_over_the_cap_is_refused_before_reading(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    server.routes[f"/big/{TRAIN_IMAGES}.gz"] = (b"x" * 10, 16 << 20)  # announces 16 MiB
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist(tmp_path / "d", mirrors=[server.base + "/big/"], progress=False)
    cap = datasets._byte_cap(len(files[TRAIN_IMAGES]))
    assert f"too large: the mirror announces 16777216 bytes, more than the {cap}" in str(info.value)
    assert _all_files(tmp_path / "d") == []


def test_unannounced_flood_stops_at_the_cap(tmp_path, server, monkeypatch):
    """16 MiB for a 2,368-byte file, without a Content-Length: stopped just past the cap."""
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    server.routes[f"/flood/{TRAIN_IMAGES}.gz"] = flood
    writes = []
    real_fetch = datasets._fetch

    def fetch(url, out, *args):  # record how much reached the .part file
        class Counting:
            def write(self, data):
                writes.append(len(data))
                return out.write(data)
        return real_fetch(url, Counting(), *args)
    monkeypatch.setattr(datasets, "_fetch", fetch)
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist(tmp_path / "d", mirrors=[server.base + "/flood/"], progress=False)
    cap = datasets._byte_cap(len(files[TRAIN_IMAGES]))
    assert f"too large: the mirror sent more than {cap} bytes" in str(info.value)
    assert sum(writes) <= cap  # nothing past the cap is written
    assert _all_files(tmp_path / "d") == []


def _bomb(header_dims, zeros: int) -> bytes:
    """A gzip of an IDX header and ``zeros`` zero bytes, compressed as it is made."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    parts = [compressor.compress(struct.pack(">I", 0x0800 | len(header_dims))
                                 + struct.pack(f">{len(header_dims)}I", *header_dims))]
    block = bytes(1 << 20)
    for _ in range(zeros >> 20):
        parts.append(compressor.compress(block))
    parts.append(compressor.flush())
    return b"".join(parts)


@pytest.mark.parametrize("verify", [True, False])
def test_served_gzip_bomb_is_decompressed_with_a_cap(tmp_path, server, monkeypatch, verify):
    """64 MiB of zeros in a 64 KiB gzip, behind a header that promises 200 kB:
    decompression stops 1 MiB past the promised data, in bounded memory."""
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    dims = (255, 28, 28)
    size = 16 + 255 * 784
    monkeypatch.setitem(datasets.MNIST_FILES, TRAIN_IMAGES, ("0" * 64, size))
    body = _bomb(dims, 64 << 20)
    assert len(body) < datasets._byte_cap(size)  # passes the byte cap; the inflation is the attack
    server.routes[f"/bomb/{TRAIN_IMAGES}.gz"] = (body, len(body))
    tracemalloc.start()
    try:
        with pytest.raises(DatasetNotFoundError) as info:
            load_mnist(tmp_path / "d", mirrors=[server.base + "/bomb/"], progress=False, verify=verify)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "trailing garbage" in str(info.value) and "more than 1048576 extra bytes" in str(info.value)
    assert peak < 4 << 20  # 64 MiB if it were decompressed whole
    assert _all_files(tmp_path / "d") == []


def test_served_file_of_the_wrong_size_fails_before_its_data_is_read(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    other = fake_mnist(n_train=4)  # right names, one image more
    mirror = serve(server, "/m/", other)
    with pytest.raises(ChecksumError) as info:
        load_mnist(tmp_path / "d", mirrors=[mirror], progress=False)
    assert "size mismatch: header promises 4x28x28 = 3136 bytes of data (3152 bytes in all), " \
           "the published file has 2368" in str(info.value)
    assert _all_files(tmp_path / "d") == []


def test_wrong_content_is_loaded_only_with_verify_false(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    other = fake_mnist(seed=1)  # same sizes, other pixels
    mirror = serve(server, "/m/", other)
    with pytest.raises(ChecksumError, match="checksum mismatch"):
        load_mnist(tmp_path / "d", mirrors=[mirror], progress=False)
    assert _all_files(tmp_path / "d") == []
    mnist = load_mnist(tmp_path / "d", mirrors=[mirror], progress=False, verify=False)
    np.testing.assert_array_equal(mnist.data, _expected(other)[0])


def test_ctrl_c_during_a_download_leaves_no_part_file(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    mirror = serve(server, "/m/", files)

    class Interrupted(ProgressBar):
        def update(self, n=1):
            raise KeyboardInterrupt
    monkeypatch.setattr(datasets, "ProgressBar", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_mnist(tmp_path / "d", mirrors=[mirror], progress=False)
    assert _all_files(tmp_path / "d") == []


def test_stale_part_files_of_killed_downloads_are_removed(tmp_path, server, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    folder = tmp_path / "d"
    folder.mkdir()
    stale, fresh = folder / f".{TRAIN_IMAGES}.abc123.part", folder / f".{TRAIN_LABELS}.def456.part"
    for part in (stale, fresh):
        part.write_bytes(b"half a file")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))  # untouched for two hours
    load_mnist(folder, mirrors=[serve(server, "/m/", files)], progress=False)
    assert not stale.exists()
    assert fresh.exists()  # another process may still be writing it


# ----- local files: checked by default, decompressed with a cap --------------------------------


def test_local_files_of_the_right_names_but_wrong_content(tmp_path, monkeypatch):
    files = fake_mnist()
    inject_checksums(monkeypatch, files)
    write_files(tmp_path / "d", fake_mnist(seed=1))
    with pytest.raises(ChecksumError) as info:
        load_mnist(tmp_path / "d", download=False)
    message = str(info.value)
    assert str(tmp_path / "d" / f"{TRAIN_IMAGES}.gz") in message and "checksum mismatch" in message
    assert "verify=False" in message
    assert load_mnist(tmp_path / "d", download=False, verify=False).n_train == 3


def test_local_gzip_bomb_is_read_in_bounded_memory(tmp_path):
    """A 64 KiB .gz whose header promises 5 bytes, followed by 64 MiB of zeros."""
    (tmp_path / "labels.gz").write_bytes(_bomb((5,), 64 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"labels.gz: trailing garbage: .* more than 1048576 extra bytes"):
            read_idx(tmp_path / "labels.gz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20


def test_header_promising_more_than_a_file_can_hold_is_not_allocated(tmp_path):
    """4 G x 4 G bytes promised by a 30-byte file: refused from the header alone."""
    data = struct.pack(">IIII", 0x0803, 0xFFFFFFFF, 0xFFFFFFFF, 1) + b"\0" * 10
    for name, body in (("huge", data), ("huge.gz", gzip.compress(data))):
        (tmp_path / name).write_bytes(body)
        with pytest.raises(ValueError, match=f"{name}: truncated: header promises .* file has 10$"):
            read_idx(tmp_path / name)


def test_offline_lists_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTODIFF_DATA", str(tmp_path / "env"))
    # a port nobody listens on: bind, note the port, close
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist(tmp_path / "p", mirrors=[f"http://127.0.0.1:{port}/"], progress=False)
    message = str(info.value)
    assert "network error" in message
    for folder in (tmp_path / "p", tmp_path / "env", tmp_path / "env" / "mnist",
                   tmp_path / "xdg-cache" / "autodiff" / "mnist"):
        assert str(folder) in message


def test_download_false_message(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTODIFF_DATA", str(tmp_path / "env"))
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist(tmp_path / "p", download=False)
    assert isinstance(info.value, FileNotFoundError)
    message = str(info.value)
    assert "$AUTODIFF_DATA" in message
    for name in NAMES:
        assert f"{name}.gz" in message
    for folder in (tmp_path / "p", tmp_path / "env", tmp_path / "env" / "mnist",
                   tmp_path / "xdg-cache" / "autodiff" / "mnist"):
        assert str(folder) in message
    assert not (tmp_path / "p").exists()


# --------------------------------------------------------------------------
# progress bar
# --------------------------------------------------------------------------


def test_progress_bar_enabled_and_disabled():
    out = io.StringIO()
    with ProgressBar(10, desc="job", unit="it", enabled=True, stream=out) as bar:
        bar.update(4)
        bar.update(6)
    text = out.getvalue()
    assert "job" in text and "100%" in text and text.endswith("\n")
    quiet = io.StringIO()  # not a TTY: enabled=None means off
    with ProgressBar(10, desc="job", stream=quiet) as bar:
        bar.update(10)
    assert quiet.getvalue() == ""


def test_progress_iterator():
    out = io.StringIO()
    assert list(progress(range(5), desc="epochs", enabled=True, stream=out)) == list(range(5))
    assert "epochs" in out.getvalue() and "5/5" in out.getvalue()
    assert list(progress(iter("abc"), enabled=False)) == ["a", "b", "c"]


# --------------------------------------------------------------------------
# full MNIST (slow; needs $AUTODIFF_DATA)
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_full_mnist(monkeypatch):
    if not REAL_DATA or not os.path.isdir(REAL_DATA):
        pytest.skip("set $AUTODIFF_DATA to a folder holding the MNIST files")
    monkeypatch.setenv("AUTODIFF_DATA", REAL_DATA)
    mnist = load_mnist(download=False, verify=True)  # verify: published sha256
    assert mnist.data.shape == (70000, 784) and mnist.data.dtype == np.uint8
    assert mnist.target.shape == (70000,) and mnist.n_train == 60000
    X_train, X_test, y_train, y_test = train_test_split_mnist(mnist)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842,
                                             5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982,
                                            892, 958, 1028, 974, 1009]
    sample = load_mnist_sample()
    np.testing.assert_array_equal(sample.data[:5000], X_train[:5000])
    np.testing.assert_array_equal(sample.data[5000:], X_test[:1000])
    np.testing.assert_array_equal(sample.target[:5000], y_train[:5000])
    np.testing.assert_array_equal(sample.target[5000:], y_test[:1000])
    # independent check: sha256 of the uncompressed contents, as published
    folders = [Path(REAL_DATA), Path(REAL_DATA) / "mnist"]
    for name, (sha, size) in datasets.MNIST_FILES.items():
        path = datasets._find(name, folders)
        raw = path.read_bytes()
        data = gzip.decompress(raw) if path.suffix == ".gz" else raw
        assert len(data) == size and hashlib.sha256(data).hexdigest() == sha, name
