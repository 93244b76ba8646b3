"""A lab's predicted probability of a good outcome, learned from its history.

GeoMatch-style: gradient boosting (scikit-learn) on the components of past
accepted proposals, labelled good when the referral was completed and, where
the person answered a follow-up survey afterwards, they were employed. The
calibration is measured on out-of-fold predictions (5 folds): Brier score and
reliability bins, shown on the lab's matching page.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Components used as features, in this order.
FEATURES = ("occupation", "language", "place", "dates", "preference")
#: Fewer outcomes than this, or only one kind, and no model is learned.
MIN_HISTORY = 30
BINS = 5


@dataclass
class OutcomeModel:
    estimator: Any
    calibration: dict[str, Any]

    def predict(self, rows: list[list[float]]) -> list[float]:
        if not rows:
            return []
        proba = self.estimator.predict_proba(np.asarray(rows, dtype=float))
        return [float(p) for p in proba[:, 1]]


def features(components: list[dict[str, Any]]) -> list[float]:
    values = {c["name"]: float(c["value"]) for c in components}
    return [values.get(name, 0.5) for name in FEATURES]


def reliability(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> list[dict]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for i in range(bins):
        high = edges[i + 1] if i < bins - 1 else 1.0 + 1e-9
        mask = (p >= edges[i]) & (p < high)
        n = int(mask.sum())
        rows.append(
            {
                "low": round(float(edges[i]), 2),
                "high": round(float(edges[i + 1]), 2),
                "count": n,
                "predicted": round(float(p[mask].mean()), 3) if n else None,
                "observed": round(float(y[mask].mean()), 3) if n else None,
            }
        )
    return rows


def outcome_fit(rows: list[list[float]], labels: list[int]) -> OutcomeModel | None:
    """The model and its calibration, or None with too little history."""
    if len(rows) < MIN_HISTORY or len(set(labels)) < 2:
        return None
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=int)
    folds = min(5, int(np.bincount(y).min()))
    estimator = HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.1,
        max_depth=3,
        # Labs have tens to hundreds of outcomes, not GeoMatch's thousands.
        min_samples_leaf=5,
        random_state=0,
    )
    calibration: dict[str, Any] = {"n": len(rows), "positives": int(y.sum())}
    if folds >= 2:
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        p = cross_val_predict(estimator, x, y, cv=cv, method="predict_proba")[:, 1]
        base = float(y.mean())
        calibration.update(
            brier=round(float(np.mean((p - y) ** 2)), 4),
            brier_baseline=round(float(np.mean((base - y) ** 2)), 4),
            bins=reliability(y, p),
            folds=folds,
        )
    estimator.fit(x, y)
    return OutcomeModel(estimator=estimator, calibration=calibration)
