"""Haven's matching engine: needs to offers, optimally and safely, with a certified bound.

Pure Python on numpy; no Django, nothing from the rest of Haven. The solver library sits
behind ``_solver``. See docs/matching.md.
"""

from ._certificate import verify_certificate
from ._io import instance_from_dict, load_instance, result_to_dict
from ._model import (
    Assignment,
    Certificate,
    HostKind,
    Instance,
    Need,
    Offer,
    Pair,
    Party,
    Result,
    SolveOptions,
    Tier,
    TracePoint,
    Weights,
)
from ._problem import InstanceError
from ._rules import is_compatible, pair_weight
from ._solve import greedy, solve

__all__ = [
    "Assignment",
    "Certificate",
    "HostKind",
    "Instance",
    "InstanceError",
    "Need",
    "Offer",
    "Pair",
    "Party",
    "Result",
    "SolveOptions",
    "Tier",
    "TracePoint",
    "Weights",
    "greedy",
    "instance_from_dict",
    "is_compatible",
    "load_instance",
    "pair_weight",
    "result_to_dict",
    "solve",
    "verify_certificate",
]
