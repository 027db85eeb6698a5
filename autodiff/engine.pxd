# For the compiled engine only (Cython reads this file beside engine.py; Python
# never does): the Node class becomes a C type whose fields are the slots that
# engine.py declares. The engine's functions that name a variable's type Node
# (``node: Node = ...``) then read and write its fields in C, without a Python
# attribute lookup. The fields stay Python objects, visible from Python as
# before, so the pure-Python engine and the compiled one behave the same.
cdef class Node:
    cdef public object data, grad, requires_grad, name, op, x0, x1, a0, a1, more, needs, saved
    cdef public object number, stamp, retains_grad, locked
    cdef object __weakref__
