"""The evaluation engine: values x criteria set -> indicator, criterion and commune results."""

from ntm.evaluation.engine import VALUES_SCHEMA, Evaluation, evaluate, evaluate_counts

__all__ = ["VALUES_SCHEMA", "Evaluation", "evaluate", "evaluate_counts"]
