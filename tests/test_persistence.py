"""model.save(path) / models.load_model(path): .npz + JSON metadata, never pickle."""
import json
import zipfile

import numpy as np
import pytest

from models import LogisticRegression, SoftmaxRegression, load_model
from models.datasets import load_iris

X, TARGET = load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def softmax():
    names = np.array(["setosa", "versicolor", "virginica"])[TARGET]
    return SoftmaxRegression(random_state=0, learning_rate=0.01, dtype="float32").fit(X, names)


@pytest.fixture(scope="module")
def logistic():
    return LogisticRegression(max_iter=300, penalty="l2", C=2.0).fit(X, TARGET == 2)


@pytest.mark.parametrize("name", ["softmax", "logistic"])
def test_round_trip_gives_identical_predictions(name, request, tmp_path):
    model = request.getfixturevalue(name)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == {**model.get_params(), "dtype": np.dtype(model.dtype).name}
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    assert loaded.coef_.dtype == model.coef_.dtype
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    assert loaded.n_features_in_ == 4 and loaded.n_iter_ == model.n_iter_
    assert loaded.loss_curve_ == model.loss_curve_
    assert loaded.score(X, model.predict(X)) == 1.0


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


def test_corrupt_file_names_the_file(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(ValueError, match="broken.npz: not a model saved by models.save_model"):
        load_model(path)


def test_truncated_file(logistic, tmp_path):
    path = tmp_path / "cut.npz"
    logistic.save(path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="cut.npz"):
        load_model(path)


def test_foreign_npz(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.ones(3))
    with pytest.raises(ValueError, match=r"foreign.npz: not a model .*missing entries"):
        load_model(path)


def test_pickled_object_array_is_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, metadata=np.array("{}"), coef_=np.array([object()], dtype=object),
             intercept_=np.zeros(1), classes_=np.arange(2), loss_curve_=np.zeros(1))
    with pytest.raises(ValueError, match="pickled.npz: not a model"):
        load_model(path)


def _rewrite_metadata(src, dst, **changes):
    with np.load(src, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    metadata = json.loads(str(arrays.pop("metadata")))
    metadata.update(changes)
    np.savez(dst, metadata=np.array(json.dumps(metadata)), **arrays)


def test_unknown_class_names_the_file(logistic, tmp_path):
    logistic.save(tmp_path / "ok.npz")
    _rewrite_metadata(tmp_path / "ok.npz", tmp_path / "evil.npz", **{"class": "os.system"})
    with pytest.raises(ValueError, match=r"evil.npz: unknown model class 'os.system'"):
        load_model(tmp_path / "evil.npz")


def test_newer_format_version(logistic, tmp_path):
    logistic.save(tmp_path / "ok.npz")
    _rewrite_metadata(tmp_path / "ok.npz", tmp_path / "new.npz", format_version=99)
    with pytest.raises(ValueError, match="new.npz: format version 99 is not supported"):
        load_model(tmp_path / "new.npz")


def test_inconsistent_shapes(logistic, tmp_path):
    logistic.save(tmp_path / "ok.npz")
    _rewrite_metadata(tmp_path / "ok.npz", tmp_path / "bad.npz", n_features_in_=5)
    with pytest.raises(ValueError, match="bad.npz: inconsistent arrays"):
        load_model(tmp_path / "bad.npz")


def test_file_is_a_plain_zip_of_npy(logistic, tmp_path):
    logistic.save(tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        assert sorted(archive.namelist()) == sorted(
            ["metadata.npy", "coef_.npy", "intercept_.npy", "classes_.npy", "loss_curve_.npy"])


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        load_model("/nonexistent/model.npz")


def test_unsaveable_parameter(tmp_path):
    model = LogisticRegression(max_iter=5, random_state=np.random.default_rng(0)).fit(X, TARGET == 2)
    with pytest.raises(ValueError, match="cannot save parameter random_state="):
        model.save(tmp_path / "m.npz")
