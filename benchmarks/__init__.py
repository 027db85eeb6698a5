"""Benchmarks of autodiff against hand-written numpy, PyTorch, HIPS autograd, MyGrad,
micrograd and scikit-learn: ``python -m benchmarks --help`` (see README.md)."""
