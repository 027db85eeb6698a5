"""The build: the metadata lives in setup.cfg; this file adds one optional extension.

``autodiff/engine.py`` (the graph's bookkeeping: recording a node, the reverse
pass) is compiled by Cython from the very same source when a C compiler is at
hand, with the declarations of ``autodiff/engine.pxd``: there the graph's
node is a C type whose fields the compiled functions read directly. Compiled,
the same code takes about a quarter less time per user-style Iris step (the
interpreter's bytecode dispatch and its attribute lookups are the largest
costs of a small step); the Python source stays the one to read, and the
reference the test suite also runs. With no compiler (or no Cython), the
extension is skipped and the pure-Python engine is installed:
``autodiff.engine.COMPILED`` tells which.
"""
from setuptools import Extension, setup

try:
    from Cython.Build import cythonize
except ImportError:  # building without the build requirements (pip --no-build-isolation): pure Python
    extensions = []
else:
    extensions = cythonize(
        [Extension("autodiff.engine", ["autodiff/engine.py"])],
        compiler_directives={"language_level": "3", "binding": True},
        quiet=True,
    )
    for extension in extensions:  # a failed compilation skips the extension (cythonize drops this flag)
        extension.optional = True

setup(ext_modules=extensions)
