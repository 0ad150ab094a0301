"""Border wait estimator: pure Python, no Django, no other haven imports.

Frozen dataclasses in, frozen dataclasses out. See docs/border-estimator.md for the method.
"""

from ._engine import GroupKey, estimate, series, weighted_quantile
from ._model import (
    DEFAULT_PARAMS,
    Action,
    Board,
    Decision,
    Estimate,
    Flag,
    FlagState,
    FlagStatus,
    Kind,
    Mode,
    Params,
    Problem,
    Report,
    ReporterTrust,
    Trend,
    TrustState,
)
from ._validate import (
    InvalidReport,
    LoadError,
    load_jsonl,
    parse_report,
    report_to_record,
    validate,
)

__all__ = [
    "DEFAULT_PARAMS",
    "Action",
    "Board",
    "Decision",
    "Estimate",
    "Flag",
    "FlagState",
    "FlagStatus",
    "GroupKey",
    "InvalidReport",
    "Kind",
    "LoadError",
    "Mode",
    "Params",
    "Problem",
    "Report",
    "ReporterTrust",
    "Trend",
    "TrustState",
    "estimate",
    "load_jsonl",
    "parse_report",
    "report_to_record",
    "series",
    "validate",
    "weighted_quantile",
]
