"""model.save(path) / models.load_model(path): .npz + JSON metadata, never pickle.

Saving is atomic (the old file survives a failed write); loading checks the
whole file before building the model, and every crafted file below fails with
a ModelFileError naming the file and the field.
"""
import errno
import io
import json
import os
import stat
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from models import LogisticRegression, SoftmaxRegression, load_model
from models import persistence
from models.datasets import load_iris
from models.persistence import ModelFileError

X, TARGET = load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def softmax():
    names = np.array(["setosa", "versicolor", "virginica"])[TARGET]
    return SoftmaxRegression(random_state=0, learning_rate=0.01, dtype="float32").fit(X, names)


@pytest.fixture(scope="module")
def logistic():
    return LogisticRegression(max_iter=300, penalty="l2", C=2.0).fit(X, TARGET == 2)


# ----- helpers: read a saved file's entries, write crafted ones ------------------------------
def entries_of(path):
    """The five entries of a saved model: metadata (a dict) and the arrays."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["metadata"] = json.loads(str(arrays["metadata"]))
    return arrays


def npy(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=allow_pickle)
    return buffer.getvalue()


def raw_npy(header: str, data: bytes) -> bytes:
    """A .npy 1.0 entry with a hand-written header dict (shape/dtype may lie)."""
    text = header.encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + data


def write_model(path, entries, compression=zipfile.ZIP_STORED):
    """A zip of ``name.npy`` entries: dict/str metadata is JSON-encoded, arrays
    are serialised, bytes are written as they are."""
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, value in entries.items():
            if name == "metadata" and isinstance(value, dict):
                value = np.array(json.dumps(value))
            elif name == "metadata" and isinstance(value, str):
                value = np.array(value)
            archive.writestr(f"{name}.npy", value if isinstance(value, bytes) else npy(value))
    return path


def crafted(tmp_path, model, name="crafted.npz", metadata=None, **arrays):
    """``model`` saved, then rewritten with changed metadata fields / arrays
    (an array value of None removes the entry)."""
    model.save(tmp_path / "original.npz")
    entries = entries_of(tmp_path / "original.npz")
    entries["metadata"].update(metadata or {})
    for key, value in arrays.items():
        if value is None:
            entries.pop(key)
        else:
            entries[key] = value
    return write_model(tmp_path / name, entries)


def fails(path, *fragments):
    """load_model(path) raises ModelFileError whose message names the file and holds ``fragments``."""
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    for fragment in fragments:
        assert fragment in message, message
    assert isinstance(info.value, ValueError)
    return message


# ----- round trips -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "logistic"])
def test_round_trip_gives_identical_predictions(name, request, tmp_path):
    model = request.getfixturevalue(name)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is type(model)
    dtype = None if model.dtype is None else np.dtype(model.dtype).name
    assert loaded.get_params() == {**model.get_params(), "dtype": dtype}
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    assert loaded.coef_.dtype == model.coef_.dtype
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    assert loaded.n_features_in_ == 4 and loaded.n_iter_ == model.n_iter_
    assert loaded.loss_curve_ == model.loss_curve_
    assert loaded.score(X, model.predict(X)) == 1.0


def test_float32_data_with_dtype_none_round_trips(tmp_path):
    model = LogisticRegression(max_iter=20).fit(X.astype(np.float32), TARGET == 2)
    assert model.dtype is None and model.coef_.dtype == np.float32
    model.save(tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    assert loaded.dtype is None and loaded.coef_.dtype == np.float32  # not saved as "float64"
    np.testing.assert_array_equal(loaded.decision_function(X), model.decision_function(X))


def test_string_classes_are_stored_as_unicode_not_objects(softmax, tmp_path):
    path = tmp_path / "m.npz"
    softmax.save(path)
    with np.load(path, allow_pickle=False) as archive:  # would raise on an object array
        assert archive["classes_"].dtype.kind == "U"
        assert archive["classes_"].tolist() == ["setosa", "versicolor", "virginica"]
        metadata = json.loads(str(archive["metadata"]))
    assert metadata["class"] == "SoftmaxRegression" and metadata["params"]["learning_rate"] == 0.01
    assert metadata["format"] == "autodiff.models" and "package_version" in metadata


def test_object_string_labels_round_trip(tmp_path):
    y = np.array(["no", "yes"], dtype=object)[(TARGET == 2).astype(int)]
    model = LogisticRegression(max_iter=100).fit(X, y)
    model.save(tmp_path / "m.npz")
    assert load_model(tmp_path / "m.npz").predict(X[:3]).tolist() == model.predict(X[:3]).tolist()


def test_path_is_used_as_given(logistic, tmp_path):
    logistic.save(tmp_path / "model.bin")  # np.savez would append .npz to a name
    assert (tmp_path / "model.bin").exists() and not (tmp_path / "model.bin.npz").exists()
    assert load_model(tmp_path / "model.bin").n_features_in_ == 4


def test_file_is_a_plain_zip_of_npy(logistic, tmp_path):
    logistic.save(tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        assert sorted(archive.namelist()) == sorted(
            ["metadata.npy", "coef_.npy", "intercept_.npy", "classes_.npy", "loss_curve_.npy"])


def test_compressed_big_endian_and_fortran_arrays_load(softmax, tmp_path):
    """What numpy itself may write (savez_compressed, another byte order, F order) is read exactly."""
    softmax.save(tmp_path / "m.npz")
    entries = entries_of(tmp_path / "m.npz")
    entries["coef_"] = np.asfortranarray(entries["coef_"].astype(">f4"))
    entries["intercept_"] = entries["intercept_"].astype(">f4")
    path = write_model(tmp_path / "other.npz", entries, compression=zipfile.ZIP_DEFLATED)
    loaded = load_model(path)
    assert loaded.coef_.dtype == np.float32 and loaded.coef_.dtype.isnative
    np.testing.assert_array_equal(loaded.coef_, softmax.coef_)
    np.testing.assert_array_equal(loaded.predict_proba(X), softmax.predict_proba(X))


# ----- atomic save ---------------------------------------------------------------------------
def _fail_on_second_entry(monkeypatch, error):
    """np.lib.format.write_array writes the first entry, then raises ``error``:
    the write stops midway, after bytes have reached the file."""
    real = np.lib.format.write_array
    calls = []

    def write_array(file, array, *args, **kwargs):
        calls.append(array.shape)
        if len(calls) == 2:
            file.write(b"\0" * 100)
            raise error
        return real(file, array, *args, **kwargs)
    monkeypatch.setattr(np.lib.format, "write_array", write_array)
    return calls


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()],
                         ids=["disk-full", "ctrl-c"])
def test_failed_save_keeps_the_old_file(logistic, softmax, tmp_path, monkeypatch, error):
    path = tmp_path / "model.npz"
    logistic.save(path)
    before = path.read_bytes()
    calls = _fail_on_second_entry(monkeypatch, error)
    with pytest.raises(type(error)):
        softmax.save(path)
    assert len(calls) == 2  # the write really started and stopped midway
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]  # no temporary file left
    monkeypatch.undo()
    assert type(load_model(path)) is LogisticRegression


def test_failed_rename_keeps_the_old_file(logistic, softmax, tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    logistic.save(path)
    before = path.read_bytes()

    def replace(src, dst):
        raise OSError(errno.EXDEV, "rename failed")
    monkeypatch.setattr(persistence.os, "replace", replace)
    with pytest.raises(OSError, match="rename failed"):
        softmax.save(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_save_file_permissions(logistic, tmp_path):
    old = os.umask(0o022)
    try:
        logistic.save(tmp_path / "new.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.npz").stat().st_mode) == 0o644  # as open() would create it
    os.chmod(tmp_path / "new.npz", 0o600)
    logistic.save(tmp_path / "new.npz")
    assert stat.S_IMODE((tmp_path / "new.npz").stat().st_mode) == 0o600  # a replaced file keeps its mode


def test_save_into_a_missing_folder_or_onto_a_folder(logistic, tmp_path):
    with pytest.raises(FileNotFoundError, match=f"cannot save a model to {tmp_path / 'no' / 'm.npz'}"):
        logistic.save(tmp_path / "no" / "m.npz")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        logistic.save(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unsaveable_parameter(tmp_path):
    model = LogisticRegression(max_iter=5, random_state=np.random.default_rng(0)).fit(X, TARGET == 2)
    with pytest.raises(ValueError, match="cannot save parameter random_state="):
        model.save(tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


# ----- loading: not a model file at all -------------------------------------------------------
def test_missing_file():
    with pytest.raises(FileNotFoundError):
        load_model("/nonexistent/model.npz")


def test_corrupt_file_names_the_file(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"this is not a zip file")
    fails(path, "not a model saved by models.save_model", "not a zip archive")


def test_npy_file_is_refused_clearly(tmp_path):
    np.save(tmp_path / "weights.npy", np.zeros(3))
    fails(tmp_path / "weights.npy", "single .npy array")


def test_truncated_file(logistic, tmp_path):
    path = tmp_path / "cut.npz"
    logistic.save(path)
    for size in (200, len(path.read_bytes()) - 30):
        path.write_bytes(path.read_bytes()[:size])
        fails(path, "not a model saved by models.save_model")


def test_flipped_data_byte_fails_the_crc(logistic, tmp_path):
    path = tmp_path / "flip.npz"
    logistic.save(path)
    data = bytearray(path.read_bytes())
    at = data.index(b"\x93NUMPY", data.index(b"coef_.npy")) + 128 + 3  # inside coef_'s float data
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    fails(path, "coef_: damaged entry")


def test_foreign_npz(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.ones(3))
    fails(path, "not a model saved by models.save_model", "missing entries")


def test_extra_and_duplicate_entries(logistic, tmp_path):
    fails(crafted(tmp_path, logistic, "extra.npz", extra=np.zeros(2)), "unexpected entries ['extra.npy']")
    path = crafted(tmp_path, logistic, "dup.npz")
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as archive:
        archive.writestr("coef_.npy", npy(np.zeros((1, 4))))
    fails(path, "more than once")


# ----- loading: the arrays ---------------------------------------------------------------------
def test_pickled_object_array_is_refused_and_never_run(tmp_path):
    ran = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(ran), "w"))  # unpickling would create the file
    path = write_model(tmp_path / "pickled.npz", {
        "metadata": "{}", "coef_": npy(np.array([Payload()], dtype=object), allow_pickle=True),
        "intercept_": np.zeros(1), "classes_": np.arange(2), "loss_curve_": np.zeros(1)})
    fails(path, "coef_", "dtype object")
    assert not ran.exists()


def test_huge_shape_in_a_header_is_refused_before_allocating(logistic, tmp_path):
    """A header promising a 1e6 x 1e6 float64 coef_ (7.3 TiB) in a tiny file."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }"
    path = crafted(tmp_path, logistic, "huge.npz", coef_=raw_npy(header, b"\0" * 32))
    tracemalloc.start()
    try:
        fails(path, "coef_", "8000000000000 bytes")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_header_and_data_sizes_disagree(logistic, tmp_path):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 5), }"
    fails(crafted(tmp_path, logistic, coef_=raw_npy(header, b"\0" * 32)), "coef_", "(40 bytes)", "holds 32 bytes")
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (-1, -4), }"
    fails(crafted(tmp_path, logistic, coef_=raw_npy(header, b"\0" * 32)), "coef_", "negative dimension")
    fails(crafted(tmp_path, logistic, coef_=b"\x93NUMPY\x01\x00\xff\x7f" + b"{" * 100),
          "coef_", "unreadable .npy header")
    header = "{'descr': '<U0', 'fortran_order': False, 'shape': (2,), }"
    fails(crafted(tmp_path, logistic, classes_=raw_npy(header, b"")), "classes_: dtype <U0 has items of 0 bytes")
    fails(crafted(tmp_path, logistic, coef_=b"\x93NUMPY\x03\x00"), "coef_: .npy format version (3, 0)")
    fails(crafted(tmp_path, logistic, coef_=b"PK\x03\x04"), "coef_: not a .npy array")


def test_coef_of_strings(logistic, tmp_path):
    fails(crafted(tmp_path, logistic, coef_=np.array([["a", "b", "c", "d"]])), "coef_: dtype <U1")


@pytest.mark.parametrize("field, value, fragment", [
    ("coef_", np.zeros((1, 4), dtype=np.int64), "expected float32 or float64"),
    ("coef_", np.zeros((1, 4), dtype=np.float16), "expected float32 or float64"),
    ("coef_", np.zeros(4), "expected a 2-d array"),
    ("intercept_", np.zeros(1, dtype=np.complex128), "intercept_: dtype complex128"),
    ("intercept_", np.zeros(1, dtype=np.float32), "differs from coef_'s float64"),
    ("classes_", np.array([[0, 1]]), "classes_: expected a 1-d array"),
    ("classes_", np.zeros(2, dtype=[("a", "<i4")]), "structured dtype"),
    ("loss_curve_", np.array([0.5, np.nan]), "loss_curve_: nan at index (1,)"),
    ("coef_", np.array([[0.0, np.inf, 0.0, 0.0]]), "coef_: inf at index (0, 1)"),
    ("classes_", np.array([1, 0]), "distinct and sorted"),
    ("classes_", np.array([0.0, np.nan]), "NaN or infinite"),
])
def test_bad_arrays(logistic, tmp_path, field, value, fragment):
    fails(crafted(tmp_path, logistic, **{field: value}), fragment)


@pytest.mark.parametrize("classes", [[0], [0, 1, 2]])
def test_logistic_needs_exactly_two_classes(logistic, tmp_path, classes):
    fails(crafted(tmp_path, logistic, classes_=np.array(classes)),
          f"classes_: a LogisticRegression has exactly 2 classes, the file has {len(classes)}")


def test_softmax_classes_against_coefficients(softmax, tmp_path):
    four = np.array(["a", "b", "c", "d"])
    fails(crafted(tmp_path, softmax, classes_=four), "coef_: shape (3, 4), expected (4, 4) for 4 classes")
    fails(crafted(tmp_path, softmax, classes_=four[:1], coef_=np.zeros((1, 4), np.float32),
                  intercept_=np.zeros(1, np.float32)), "at least 2 classes")
    fails(crafted(tmp_path, softmax, intercept_=np.zeros(2, np.float32)), "intercept_: shape (2,), expected (3,)")


def test_missing_array_entry(logistic, tmp_path):
    fails(crafted(tmp_path, logistic, loss_curve_=None), "missing entries ['loss_curve_.npy']")


# ----- loading: the metadata ---------------------------------------------------------------------
def test_deeply_nested_metadata_is_refused_without_recursing(logistic, tmp_path):
    entries = entries_of(crafted(tmp_path, logistic))
    entries["metadata"] = "[" * 30000 + "]" * 30000  # json.loads would raise RecursionError
    fails(write_model(tmp_path / "deep.npz", entries), "metadata: JSON nested 30000 levels deep")
    fails(crafted(tmp_path, logistic, metadata={"params": {"C": [[1.0]]}}), "metadata: JSON nested 4 levels")


def test_metadata_must_be_a_small_0d_string(logistic, tmp_path):
    entries = {**entries_of(crafted(tmp_path, logistic)), "metadata": np.array(["{}"])}
    fails(write_model(tmp_path / "md1.npz", entries), "metadata: expected a 0-d array")
    entries["metadata"] = np.array("x" * 70000)
    fails(write_model(tmp_path / "md2.npz", entries), "metadata: 70000 characters")
    entries["metadata"] = np.array(b"{}")
    fails(write_model(tmp_path / "md3.npz", entries), "metadata: dtype |S2")
    entries["metadata"] = "[1, 2]"
    fails(write_model(tmp_path / "md4.npz", entries), "metadata is a JSON list")
    entries["metadata"] = '{"format": "autodiff.models", "format": "autodiff.models"}'
    fails(write_model(tmp_path / "md5.npz", entries), "['format'] appear more than once")


@pytest.mark.parametrize("changes, fragment", [
    ({"class": ["LogisticRegression"]}, "metadata.class: unknown model class ['LogisticRegression']"),
    ({"class": "os.system"}, "metadata.class: unknown model class 'os.system'"),
    ({"format": "something else"}, "not a model saved by models.save_model: metadata: format 'something else'"),
    ({"format_version": 99}, "metadata.format_version: format version 99 is not supported"),
    ({"format_version": True}, "format version True is not supported"),
    ({"n_features_in_": 5}, "coef_: shape (1, 4), expected (1, 5)"),
    ({"n_features_in_": True}, "metadata.n_features_in_: expected an integer >= 1, got True"),
    ({"n_features_in_": "4"}, "metadata.n_features_in_: expected an integer >= 1, got '4'"),
    ({"n_iter_": -1}, "metadata.n_iter_: expected an integer >= 0"),
    ({"package_version": 1}, "metadata.package_version: expected a string"),
    ({"surprise": 1}, "metadata: unknown fields ['surprise']"),
    ({"params": [1]}, "metadata.params: expected an object"),
    ({"params": {"os": "system"}}, "metadata.params.os: not a parameter of LogisticRegression"),
    ({"params": {"learning_rate": -1.0}}, "metadata.params: LogisticRegression: learning_rate must be > 0"),
    ({"params": {"learning_rate": "fast"}}, "learning_rate must be a number"),
    ({"params": {"solver": "magic"}}, "unknown solver 'magic'"),
    ({"params": {"dtype": "float32"}}, "coef_: dtype float64, but the parameter dtype is 'float32'"),
    ({"params": {"dtype": "complex"}}, "metadata.params: LogisticRegression: dtype must be"),
    ({"params": {"random_state": "seed"}}, "metadata.params: LogisticRegression: random_state must be"),
])
def test_bad_metadata(logistic, tmp_path, changes, fragment):
    fails(crafted(tmp_path, logistic, metadata=changes), fragment)


def test_metadata_missing_field_and_nan(logistic, tmp_path):
    path = crafted(tmp_path, logistic)
    entries = entries_of(path)
    del entries["metadata"]["n_iter_"]
    fails(write_model(tmp_path / "a.npz", entries), "metadata: missing fields ['n_iter_']")
    entries["metadata"] = json.dumps({**entries_of(path)["metadata"], "params": {"C": float("nan")}})
    fails(write_model(tmp_path / "b.npz", entries), "NaN is not a valid number")


def test_softmax_average_must_be_boolean(softmax, tmp_path):
    fails(crafted(tmp_path, softmax, metadata={"params": {"average": "yes"}}), "metadata.params", "average must be True or False")


@pytest.mark.parametrize("stride", [4, pytest.param(1, marks=pytest.mark.slow)])  # every 4th byte; all with -m slow
def test_every_flipped_byte_fails_cleanly_or_changes_nothing(logistic, flip_each_byte, stride):
    """Each byte of a saved file inverted in turn: a ModelFileError naming the
    file, or (a byte the format ignores, e.g. a timestamp) the same model."""
    def same(model):
        np.testing.assert_array_equal(model.coef_, logistic.coef_)
        np.testing.assert_array_equal(model.classes_, logistic.classes_)
        assert model.get_params() == logistic.get_params() and model.loss_curve_ == logistic.loss_curve_
    flip_each_byte(logistic, stride, same)


def test_the_version_saved_in_a_model_file_is_the_one_pip_installs():
    """setup.cfg reads the version from autodiff.__version__: one number, in pip's
    metadata and in what a saved model records."""
    from setuptools.config.setupcfg import read_configuration  # (setuptools builds the package)

    import autodiff
    setup_cfg = Path(autodiff.__file__).resolve().parents[1] / "setup.cfg"
    assert read_configuration(str(setup_cfg))["metadata"]["version"] == autodiff.__version__
