"""autodiff: a small, exact reverse-mode automatic differentiation framework on numpy.

    >>> import autodiff as ad
    >>> x = ad.Tensor(2.0, requires_grad=True)
    >>> y = ad.sin((x + 1) ** 2)          # the lecture's chain-rule example
    >>> y.backward()
    >>> x.grad                             # 2 cos((x+1)²)(x+1)
    array(-5.46678157)

Layers, each importing only those below it: ``engine`` (nodes, modes, backward)
← ``ops`` (one class per op) ← ``tensor`` (the Tensor class) ← ``functions``,
``functional``, ``gradcheck``, ``graph``, ``explain``, ``registry``, ``testing``.
"""
import os as _os
import sys as _sys
from importlib import machinery as _machinery, util as _util


def _import_the_engine_source_where_it_should_run() -> None:
    """Python imports the extension that setup.py compiles from engine.py before the
    source beside it. The source is imported instead (``autodiff.engine.COMPILED`` is
    then False) where it should run:

    - engine.py was changed after that build (a student editing the engine in a
      checkout built in place), so that the engine that runs is always the code in
      engine.py (two seconds of slack: a wheel's files are unpacked in one go, in any
      order);
    - the environment variable ``AUTODIFF_ENGINE=python`` asks for it (to step
      through the engine in a debugger, or to time the two engines side by side).
    """
    asked = _os.environ.get("AUTODIFF_ENGINE", "")
    if asked not in ("", "python", "default"):
        raise ImportError(f"autodiff: AUTODIFF_ENGINE={asked!r} is not a choice: 'python' imports "
                          "autodiff/engine.py as source; 'default' or unset, the compiled build where there is one")
    here = _os.path.dirname(__file__)
    source = _os.path.join(here, "engine.py")
    builds = [_os.path.join(here, "engine" + suffix) for suffix in _machinery.EXTENSION_SUFFIXES]
    built = [_os.path.getmtime(b) for b in builds if _os.path.exists(b)]
    if not built or not _os.path.exists(source):
        return  # nothing to choose from: Python's import finds the one there is
    if asked == "python" or _os.path.getmtime(source) > max(built) + 2:
        spec = _util.spec_from_file_location(__name__ + ".engine", source)
        assert spec is not None and spec.loader is not None
        module = _util.module_from_spec(spec)
        _sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        globals()["engine"] = module  # (what an import statement does for a submodule: autodiff.engine)


_import_the_engine_source_where_it_should_run()

from .engine import (backpropagate, detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad,  # noqa: E402
                     set_grad_enabled)
from .tensor import Tensor
from .functions import *  # noqa: F401,F403
from .functions import __all__ as _functions
from . import entropy, jacobians
from .creation import *  # noqa: F401,F403  (zeros, ones, full, arange, linspace, eye, rand, randn, *_like)
from .creation import __all__ as _creation

__version__ = "0.2.0"
from .functional import gradients, grad, value_and_grad, vjp, jvp, jacobian, hessian, local_jacobian
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from . import testing, registry
from .graph import to_dot, draw, text_tree
from .explain import explain
from . import nn, optim, data  # networks, optimizers, mini-batches

__all__ = ["Tensor", "backpropagate", "detect_anomaly", "enable_grad", "is_anomaly_enabled", "is_grad_enabled",
           "no_grad", "set_grad_enabled", "entropy", "jacobians", "gradients", "grad", "value_and_grad", "vjp",
           "jvp", "jacobian", "hessian", "local_jacobian", "gradcheck", "gradgradcheck", "GradcheckError",
           "testing", "registry", "to_dot", "draw", "text_tree", "explain", "nn", "optim", "data", *_functions,
           *_creation]
