"""Learning-rate schedules: set each group's ``lr`` from the epoch number.

    opt = SGD(model.parameters(), lr=0.1)
    schedule = StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(30):
        train_one_epoch(...)          # opt.step() for every batch
        schedule.step()               # then the next epoch's lr

Each schedule is a closed formula of the epoch t and the group's initial lr, so
a schedule restored from its state dict goes on exactly where it stopped.
"""
from __future__ import annotations

import math
from typing import Any

from .optimizer import Optimizer, check_number


class LRScheduler:
    """Base class: ``lr_at(base_lr, epoch)`` is the schedule."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        who = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{who}: optimizer must be an autodiff.optim optimizer, got {type(optimizer).__name__}")
        if not isinstance(last_epoch, int) or isinstance(last_epoch, bool) or last_epoch < -1:
            raise ValueError(f"{who}: last_epoch must be an integer >= -1, got {last_epoch!r}")
        self.optimizer = optimizer
        if last_epoch == -1:  # a fresh schedule: the groups' current lr are its starting points
            for group in optimizer.param_groups:
                group["initial_lr"] = group["lr"]
        elif any("initial_lr" not in group for group in optimizer.param_groups):
            raise ValueError(f"{who}: resuming at last_epoch={last_epoch} needs the groups' 'initial_lr', "
                             "set by a scheduler created before; or load its state_dict instead")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()  # epoch 0 (or last_epoch + 1): set the lr it prescribes

    def lr_at(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        """Move to the next epoch and set every group's lr for it."""
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base_lr, self.last_epoch)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lr of each group set by the latest ``step()``."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The schedule's settings and position: numbers and lists of numbers."""
        return {key: (list(value) if isinstance(value, list) else value)
                for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a position saved by ``state_dict()`` of the same kind of schedule; the
        optimizer's lr is restored by its own load_state_dict."""
        who = f"{type(self).__name__}.load_state_dict"
        mine = self.state_dict()
        if not isinstance(state_dict, dict) or set(state_dict) != set(mine):
            keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"{who}: expected the keys {sorted(mine)}, got {keys}")
        for key in ("base_lrs", "_last_lr"):
            if len(state_dict[key]) != len(self.optimizer.param_groups):
                raise ValueError(f"{who}: {key} has {len(state_dict[key])} entries, the optimizer "
                                 f"{len(self.optimizer.param_groups)} parameter groups")
        for key, value in state_dict.items():
            setattr(self, key, list(value) if isinstance(value, (list, tuple)) else value)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.state_dict().items() if not k.startswith("_"))
        return f"{type(self).__name__}({settings})"


class StepLR(LRScheduler):
    """lr(t) = initial_lr · gamma^⌊t / step_size⌋: multiplied by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if not isinstance(step_size, int) or isinstance(step_size, bool) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        check_number("StepLR", "gamma", gamma, low=0.0)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr(t) = eta_min + (initial_lr − eta_min)·(1 + cos(π·t/T_max))/2: from the initial
    lr down to ``eta_min`` along half a cosine in ``T_max`` epochs (then back up, as
    the cosine goes on, if stepped further)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if not isinstance(T_max, int) or isinstance(T_max, bool) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive integer, got {T_max!r}")
        check_number("CosineAnnealingLR", "eta_min", eta_min, low=0.0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0
