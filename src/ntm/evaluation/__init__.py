"""The evaluation engine: values x criteria set -> indicator, criterion and commune results."""

from ntm.evaluation.engine import Evaluation, evaluate, evaluate_counts

__all__ = ["Evaluation", "evaluate", "evaluate_counts"]
