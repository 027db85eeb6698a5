"""Neural-network building blocks on the autodiff engine: Parameter, Module and layers,
initialisers, losses.

    from autodiff import nn, optim
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss = nn.functional.cross_entropy(model(X), y)
    opt.zero_grad(); loss.backward(); opt.step()
"""
from . import functional, init
from ._random import manual_seed
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import Sequential
from .conv import Conv2d
from .layers import Dropout, Flatten, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss
from .module import LoadResult, Module
from .parameter import Parameter
from .pooling import AvgPool2d, MaxPool2d

__all__ = ["Parameter", "Module", "LoadResult", "Sequential", "Linear", "Flatten", "Dropout", "ReLU", "Sigmoid",
           "Tanh", "Softmax", "LogSoftmax", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "MSELoss",
           "L1Loss", "HuberLoss", "functional", "init", "manual_seed",
           "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d"]
