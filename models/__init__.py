"""The lecture's models (logistic and softmax regression) and datasets, built on autodiff."""
