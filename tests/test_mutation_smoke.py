"""Smoke test of the mutation script (benchmarks/mutation.py) on one op: its
machinery finds the mutants, a known-bad mutant is killed, the unmutated op
passes, and the original is always put back. The full run is not a test:
python -m benchmarks.mutation."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff as ad
from autodiff import engine
from autodiff.ops.arithmetic import Neg
from autodiff.ops.elementwise import Exp
from autodiff.registry import OPS
from benchmarks import mutation

pytestmark = pytest.mark.skipif(engine.COMPILED, reason="the mutation script rewrites the engine's Python source; "
                                "this run has the compiled engine (the pure-Python run covers it; AUTODIFF_ENGINE=python)")

EXAMPLES = 3  # a broken vjp fails on the first example; three keep the test well under a second


@pytest.fixture(scope="module")
def targets():
    return {t.qualname: t for t in mutation.discover_targets()}


def test_discovery_covers_every_own_vjp_and_the_engine(targets):
    from autodiff.ops import OP_CLASSES
    own = {f"{c.__qualname__}.{m}" for c in OP_CLASSES if c.__module__.startswith("autodiff.")
           for m in ("vjp", "plain_vjp") if m in c.__dict__ and c.__dict__[m].__qualname__ == f"{c.__qualname__}.{m}"}
    own.discard("Op.vjp")
    assert own and own <= set(targets)
    assert {"accumulate_grad", "unbroadcast"} <= set(targets)


def test_the_mutants_of_neg_are_listed(targets):
    mutants = mutation.mutants_of(targets["Neg.vjp"])
    assert [(m.original, m.mutated) for m in mutants] == [("-g", "g")]
    assert mutants[0].location.endswith(f"arithmetic.py:{mutants[0].line}")


def test_a_bad_mutant_is_killed_and_the_original_restored(targets):
    target = targets["Neg.vjp"]
    original = Neg.__dict__["vjp"]
    (mutant,) = mutation.mutants_of(target)
    outcome = mutation.run_mutant(mutant, [OPS["neg"]], EXAMPLES)
    assert outcome.killed and outcome.by.startswith("neg:")
    assert Neg.__dict__["vjp"] is original and Neg.__dict__["plain_vjp"] is original
    x = ad.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    (-x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, -1.0])


def test_the_unmutated_op_passes(targets):
    mutation.check_unmutated(targets["Neg.vjp"], [OPS["neg"]], EXAMPLES)  # raises if it fails


def test_an_alias_plain_vjp_is_patched_with_vjp(targets):
    target = targets["Exp.vjp"]
    (mutant,) = mutation.mutants_of(target)  # g * out -> g / out
    replacement = mutation.compile_variant(target, mutation._mutate(target.tree, mutant.key))
    with mutation.patched(target.function, replacement) as sites:
        assert Exp.vjp is replacement and Exp.plain_vjp is replacement
        assert (Exp, "vjp") in sites.sites and (Exp, "plain_vjp") in sites.sites
    assert Exp.vjp is target.function and Exp.plain_vjp is target.function


def test_an_equivalent_mutant_is_reported_not_counted(targets, capsys):
    target = targets["CrossEntropy.vjp"]
    mutant = next(m for m in mutation.mutants_of(target) if (m.original, m.mutated) == ("-1", "1"))
    assert mutant.allow_key in mutation.EQUIVALENT
    status = mutation.report([mutation.Outcome(mutant, killed=False)], 0.0)
    printed = capsys.readouterr().out
    assert status == 0 and "equivalent:" in printed and "(0 survivors, 1 equivalent)" in printed
    survivor = mutation.mutants_of(targets["Neg.vjp"])[0]
    assert mutation.report([mutation.Outcome(survivor, killed=False)], 0.0) == 1
    assert "SURVIVOR: autodiff/ops/arithmetic.py:" in capsys.readouterr().out


def test_an_expression_written_twice_is_numbered(targets):
    # Dot.vjp writes na + nb - 3 twice (a slice end, then an index): the allow-list must name one
    mutants = mutation.mutants_of(targets["Dot.vjp"])
    twice = [m.allow_key[1] for m in mutants if m.original == "na + nb - 3" and m.mutated == "na + nb + 3"]
    assert twice == ["na + nb - 3 [1 of 2]", "na + nb - 3 [2 of 2]"]
