"""Optimizers that update parameters in place from their ``.grad``, and learning-rate schedules.

    opt = optim.Adam(model.parameters(), lr=1e-3)
    for X, y in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()

Each optimizer follows PyTorch's update formulas, and is tested step by step against it.
"""
from .adam import Adam
from .adamw import AdamW
from .lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "LRScheduler", "StepLR", "CosineAnnealingLR"]
