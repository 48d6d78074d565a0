"""Keras 2's ``keras.utils.metrics_utils`` names that user code compares against: the AUC curve and summation
method enums. They are ``str`` enums, so ``auc.curve == AUCCurve.PR`` (Keras 2) and ``auc.curve == "PR"`` both
hold."""
from enum import Enum


class AUCCurve(str, Enum):
    """Which curve AUC integrates."""

    ROC = "ROC"
    PR = "PR"
    PR_GAIN = "PR_GAIN"

    @staticmethod
    def from_str(key):
        spelled = {"roc": AUCCurve.ROC, "pr": AUCCurve.PR, "pr_gain": AUCCurve.PR_GAIN, "prgain": AUCCurve.PR_GAIN}
        found = spelled.get(str(getattr(key, "value", key)).lower())
        if found is None:
            raise ValueError(f'Invalid AUC curve value: "{key}". Expected values are ["PR", "ROC", "PR_GAIN"]')
        return found


class AUCSummationMethod(str, Enum):
    """How AUC sums the areas between thresholds: 'interpolation' (trapezoids for ROC, Davis & Goadrich's
    interpolation for PR), 'minoring' or 'majoring' (left or right Riemann sums, below or above the curve)."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key):
        value = str(getattr(key, "value", key))
        if value not in ("interpolation", "Interpolation", "majoring", "Majoring", "minoring", "Minoring"):
            raise ValueError(f'Invalid AUC summation method value: "{key}". Expected values are '
                             '["interpolation", "majoring", "minoring"]')
        return AUCSummationMethod(value.lower())
