"""The README's code for a new op and for the training loop runs as written."""
import re
from pathlib import Path

import numpy as np

import autodiff as ad
from autodiff import registry, testing

README = (Path(__file__).parent.parent / "README.md").read_text()


def _block_after(heading: str) -> str:
    section = README[README.index(heading):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_own_op_example_registers_an_op_that_passes_the_checks():
    namespace: dict = {}
    exec(_block_after("### Your own op"), namespace)
    try:
        info = registry.get("cube")
        testing.check_op(info, (np.linspace(-2.0, 2.0, 5),))
        testing.check_op_second_derivatives(info, (np.linspace(-2.0, 2.0, 5),))
        t = ad.Tensor([1.0, 2.0], requires_grad=True)
        namespace["cube"](t).sum().backward()
        np.testing.assert_array_equal(t.grad, [3.0, 12.0])
    finally:
        registry.unregister("cube")


def test_the_training_loop_example_learns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 4))
    t = (X @ np.array([[1.0], [-2.0], [0.5], [0.0]]) > 0).astype(float)
    namespace = {"ad": ad, "np": np, "X": X, "t": t}
    code = _block_after("### Training loop").replace("range(1000)", "range(200)")
    exec(code, namespace)
    p = 1 / (1 + np.exp(-(X @ namespace["W"].data + namespace["b"].data)))
    assert np.mean((p > 0.5) == (t > 0.5)) > 0.9
