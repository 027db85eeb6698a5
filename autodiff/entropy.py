"""The lecture's information theory in plain numpy: entropy, cross-entropy,
binary cross-entropy, KL divergence and the average code length.

Arguments by name: the lecture writes H(P, Q) = E_{x∼P}[−log Q(x)] with the
true distribution P first and the estimate Q second, and
BinaryCrossEntropy = −P log P̂ − (1 − P) log(1 − P̂) with P̂ = Q(cat).  Here
the two are passed as ``p=`` (true) and ``q=`` (estimate)::

    cross_entropy(p=P, q=Q)            # H(P, Q)
    kl_divergence(p=P, q=Q)            # KL(P ‖ Q)
    binary_cross_entropy(p=1.0, q=0.9) # −1·log 0.9

Every function that takes two arrays refuses positional arguments (a
TypeError that shows the call by name).  The reason: the Tensor losses of
``autodiff`` with the same names (``ad.binary_cross_entropy(input, target)``,
``ad.cross_entropy(logits, labels)``) follow PyTorch and take the estimate
first, so a positional call that is right for one would silently give
another number with the other.  ``entropy(p)`` has one distribution and
takes it by position too.

Conventions:

* 0 · log 0 = 0 (terms with P(i) = 0 contribute nothing, no warning);
* Q(i) = 0 where P(i) > 0 gives +inf (no warning);
* distributions live on the last axis: an array of shape (..., K) is a
  batch of distributions and the result has shape (...); a single 1-D
  distribution gives a float;
* a distribution with NaN or negative entries, or whose entries do not sum
  to 1 (atol 1e-6), raises ``ValueError``;
* ``base`` is the logarithm base: e (nats, the default), 2 (bits), 10, or any
  positive number other than 1.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import numpy as np

__all__ = [
    "entropy",
    "cross_entropy",
    "binary_cross_entropy",
    "kl_divergence",
    "average_code_length",
]

SUM_ATOL = 1e-6

F = TypeVar("F", bound=Callable[..., Any])


_WHY = ("p is the true distribution P, q the estimate Q, as in the lecture's H(P, Q); names are "
        "required because autodiff's Tensor loss of the same name takes (input, target), the estimate first")


def _by_name(example: str, why: str = _WHY) -> Callable[[F], F]:
    """Make a function refuse positional arguments, with a message showing
    ``example``, the call written with names, and ``why``."""
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError(f"{func.__name__} takes its arguments by name, e.g. {example}, "
                                f"not {len(args)} positional argument(s) ({why})")
            return func(**kwargs)
        return checked  # type: ignore[return-value]
    return decorate


def _log_base(base, func: str) -> float:
    """ln(base), after checking that base is a valid logarithm base."""
    try:
        b = float(base)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{func}: base must be a positive number != 1, got {base!r}") from exc
    if not np.isfinite(b) or b <= 0 or b == 1:
        raise ValueError(f"{func}: base must be a positive number != 1, got {base!r}")
    return float(np.log(b))


def _distribution(p, func: str, name: str) -> np.ndarray:
    """p as a float64 array of probability distributions along the last axis."""
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{func}: {name} must be a non-empty vector (..., K), got shape {p.shape}")
    if np.any(np.isnan(p)):
        raise ValueError(f"{func}: {name} is not a probability distribution: it contains NaN")
    if np.any(p < 0):
        raise ValueError(
            f"{func}: {name} is not a probability distribution: it has negative entries "
            f"(min {p.min():.6g})")
    sums = p.sum(axis=-1)
    bad = ~(np.abs(sums - 1.0) <= SUM_ATOL)            # also catches inf sums
    if np.any(bad):
        shown = sums[bad].ravel()[:5]
        what = f"sums to {float(sums)!r}" if sums.ndim == 0 else f"has row sums {shown.tolist()}"
        raise ValueError(
            f"{func}: {name} is not a probability distribution: it {what} along the last "
            f"axis, expected 1 (atol {SUM_ATOL:g})")
    return p


def _same_shape(p: np.ndarray, q: np.ndarray, func: str, names=("P", "Q")) -> None:
    if p.shape != q.shape:
        raise ValueError(
            f"{func}: {names[0]} and {names[1]} must have the same shape, "
            f"got {names[0]} {p.shape} and {names[1]} {q.shape}")


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x · ln y elementwise with 0 · ln y = 0 and x · ln 0 = −inf for x > 0, warning-free."""
    log_y = np.log(np.where(y > 0, y, 1.0))
    return np.where(x > 0, np.where(y > 0, x * log_y, -np.inf), 0.0)


def _result(a: np.ndarray):
    a = a + 0.0                                        # turn −0.0 into 0.0
    return float(a) if a.ndim == 0 else a


# --------------------------------------------------------------------------
# the lecture's quantities
# --------------------------------------------------------------------------

def entropy(p, base: float = np.e):
    """Entropy of the true distribution P:

        H(P) = E_{x∼P}[−log P(x)] = −Σᵢ P(i) log P(i),     0 · log 0 = 0

    The theoretical minimum average encoding size (in bits for base=2):
    8 equally likely messages need H = log₂ 8 = 3 bits; a one-hot label has
    entropy 0.  p has shape (K,) (→ float) or (..., K) (→ array (...)).
    """
    ln_base = _log_base(base, "entropy")
    p = _distribution(p, "entropy", "P")
    return _result(-np.sum(_xlogy(p, p), axis=-1) / ln_base)


@_by_name("cross_entropy(p=P, q=Q)")
def cross_entropy(*, p, q, base: float = np.e):
    """Cross-entropy of the estimate Q relative to the true distribution P
    (``p=`` the true P, ``q=`` the estimate Q; by name only):

        H(P, Q) = E_{x∼P}[−log Q(x)] = −Σᵢ P(i) log Q(i)

    0 · log Q(i) = 0 when P(i) = 0, and the result is +inf if Q(i) = 0 for
    some P(i) > 0.  Gibbs' inequality: H(P, Q) ≥ H(P), with equality iff
    Q = P.  (The Tensor loss ``ad.cross_entropy(logits, labels)`` takes
    (input, target), the estimate first, as PyTorch does.)
    """
    ln_base = _log_base(base, "cross_entropy")
    p = _distribution(p, "cross_entropy", "P")
    q = _distribution(q, "cross_entropy", "Q")
    _same_shape(p, q, "cross_entropy")
    return _result(-np.sum(_xlogy(p, q), axis=-1) / ln_base)


@_by_name("kl_divergence(p=P, q=Q)")
def kl_divergence(*, p, q, base: float = np.e):
    """Kullback–Leibler divergence of the estimate Q (``q=``) from the true
    distribution P (``p=``), by name only:

        KL(P ‖ Q) = Σᵢ P(i) log(P(i) / Q(i)) = H(P, Q) − H(P) ≥ 0

    0 where P(i) = 0; +inf if Q(i) = 0 for some P(i) > 0.  Rounding can make
    the sum a few ulps negative when Q ≈ P; the sum in nats is clipped at 0
    (so KL has the sign of log(base): ≥ 0 for base > 1).
    """
    ln_base = _log_base(base, "kl_divergence")
    p = _distribution(p, "kl_divergence", "P")
    q = _distribution(q, "kl_divergence", "Q")
    _same_shape(p, q, "kl_divergence")
    kl_nats = np.sum(_xlogy(p, p) - _xlogy(p, q), axis=-1)
    return _result(np.maximum(kl_nats, 0.0) / ln_base)


@_by_name("binary_cross_entropy(p=1.0, q=0.9)")
def binary_cross_entropy(*, p, q, base: float = np.e):
    """Binary cross-entropy of the estimate P̂ = Q(cat) (``q=``) against the
    true probability P = P(cat) (``p=``), by name only:

        BinaryCrossEntropy = −P log P̂ − (1 − P) log(1 − P̂)

    which is H([P, 1 − P], [P̂, 1 − P̂]).  p and q are probabilities in [0, 1]
    (scalars → float; arrays of the same shape → elementwise array).
    0 · log 0 = 0; +inf when the estimate gives probability 0 to an outcome
    with P > 0.  (The Tensor loss ``ad.binary_cross_entropy(input, target)``
    takes the estimate first, as PyTorch does; hence the names here.)
    """
    func = "binary_cross_entropy"
    ln_base = _log_base(base, func)
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    for name, a in (("P", p), ("Q", q)):
        if np.any(np.isnan(a)) or np.any((a < 0) | (a > 1)):
            raise ValueError(f"{func}: {name} must hold probabilities in [0, 1], got {a!r}")
    _same_shape(p, q, func)
    return _result(-(_xlogy(p, q) + _xlogy(1.0 - p, 1.0 - q)) / ln_base)


@_by_name("average_code_length(p=P, code_lengths=[1, 2, 3, 3])",
          why="p is the distribution P of the messages, code_lengths their lengths in bits")
def average_code_length(*, p, code_lengths):
    """Average encoding size of messages with probabilities P and code lengths ℓ:

        L = Σᵢ P(i) ℓᵢ       (≥ H(P) in bits for any lossless prefix code)

    By name only. E.g. the weather codes: P = [0.6, 0.38, 0.01, 0.01] with
    lengths [1, 2, 3, 3] give 0.6·1 + 0.38·2 + 0.01·3 + 0.01·3 = 1.42 bits.
    """
    func = "average_code_length"
    p = _distribution(p, func, "P")
    lengths = np.asarray(code_lengths, dtype=np.float64)
    _same_shape(p, lengths, func, names=("P", "code_lengths"))
    if np.any(np.isnan(lengths)) or np.any(lengths < 0):
        raise ValueError(f"{func}: code_lengths must be non-negative, got {lengths!r}")
    return _result(np.sum(p * lengths, axis=-1))
