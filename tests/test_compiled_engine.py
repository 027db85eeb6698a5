"""The engine that runs is the code in autodiff/engine.py: setup.py may compile it
(Cython), and Python imports such a build before the source beside it, so a
build older than an edited engine.py is passed over for the source, and so is
any build when AUTODIFF_ENGINE=python asks for the source."""
import os
import shutil
import subprocess
import sys
from importlib import machinery
from pathlib import Path

import pytest

import autodiff.engine as engine

PACKAGE = Path(engine.__file__).resolve().parent


def _import_engine_beside(tmp_path, build_age_seconds, asked=None):
    """Import autodiff.engine from a copy of the package beside a stand-in 'build'
    (bytes that are no extension) that is older than engine.py by the given seconds."""
    copy = tmp_path / "autodiff"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", "engine.c"))
    build = copy / ("engine" + machinery.EXTENSION_SUFFIXES[0])
    build.write_bytes(b"not an extension module")
    source_time = os.path.getmtime(copy / "engine.py")
    os.utime(build, (source_time - build_age_seconds, source_time - build_age_seconds))
    return subprocess.run([sys.executable, "-c", "import autodiff as ad; e = ad.engine; print(e.__file__, e.COMPILED)"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**{k: v for k, v in os.environ.items() if k != "AUTODIFF_ENGINE"},
                               "PYTHONPATH": str(tmp_path), **({"AUTODIFF_ENGINE": asked} if asked else {})})


def test_an_engine_py_edited_after_the_build_is_imported_as_source(tmp_path):
    run = _import_engine_beside(tmp_path, build_age_seconds=60)
    assert run.returncode == 0, run.stderr
    path, compiled = run.stdout.split()
    assert path.endswith("engine.py") and compiled == "False"


def test_a_build_as_new_as_its_source_is_the_one_imported(tmp_path):
    # the stand-in build is imported (and fails to load): the check above is what passes it over
    run = _import_engine_beside(tmp_path, build_age_seconds=0)
    assert run.returncode != 0 and "ImportError" in run.stderr


def test_autodiff_engine_python_imports_the_source_beside_a_current_build(tmp_path):
    run = _import_engine_beside(tmp_path, build_age_seconds=0, asked="python")
    assert run.returncode == 0, run.stderr
    path, compiled = run.stdout.split()
    assert path.endswith("engine.py") and compiled == "False"


def test_an_unknown_autodiff_engine_value_is_an_error_that_names_it(tmp_path):
    run = _import_engine_beside(tmp_path, build_age_seconds=0, asked="cython")
    assert run.returncode != 0
    assert "AUTODIFF_ENGINE='cython' is not a choice" in run.stderr


@pytest.mark.skipif(not engine.COMPILED, reason="this run imports autodiff/engine.py as source")
def test_the_compiled_engine_is_built_from_the_source_beside_it():
    assert not engine.__file__.endswith(".py") and (PACKAGE / "engine.py").exists()


@pytest.mark.skipif(not (PACKAGE / "engine.pxd").exists(), reason="an installed wheel has no engine.pxd")
def test_engine_pxd_declares_exactly_the_fields_of_node():
    """engine.pxd (read by Cython only) makes Node a C type: its fields must be
    the slots that engine.py gives Node, no more and no fewer."""
    import ast
    import re

    tree = ast.parse((PACKAGE / "engine.py").read_text())
    node_class = next(c for c in tree.body if isinstance(c, ast.ClassDef) and c.name == "Node")
    slots = next(s.value for s in node_class.body
                 if isinstance(s, ast.Assign) and getattr(s.targets[0], "id", "") == "__slots__")
    declared = re.findall(r"^\s*cdef (?:public )?object (.+)$", (PACKAGE / "engine.pxd").read_text(), re.M)
    fields = [name.strip() for line in declared for name in line.split(",")]
    assert sorted(fields) == sorted(ast.literal_eval(slots))


@pytest.mark.skipif(not engine.COMPILED, reason="this run imports autodiff/engine.py as source")
def test_the_compiled_node_is_the_c_type_that_engine_pxd_declares():
    # its fields are C struct members seen from Python through descriptors, not slots
    assert type(vars(engine.Node)["data"]).__name__ == "getset_descriptor"
    assert type(vars(engine.Node)["locked"]).__name__ == "getset_descriptor"
