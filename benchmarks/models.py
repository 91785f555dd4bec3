"""Downstream models per data kind; ``input`` says whether they see flattened data."""

from dataclasses import dataclass

from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier


@dataclass(frozen=True)
class Model:
    name: str
    factory: object  # random_state -> unfitted estimator
    kinds: frozenset
    input: str = "flat"  # "flat": 2-D features; "native": the data's own shape

    def build(self, random_state):
        return self.factory(random_state)


MODELS = {}


def register_model(model):
    if model.name in MODELS:
        raise ValueError(f"model {model.name!r} is registered twice")
    MODELS[model.name] = model
    return model


TABULAR = frozenset({"tabular"})
SERIES_AND_IMAGES = frozenset({"sequence", "image"})

register_model(Model("logreg", lambda rs: LogisticRegression(max_iter=2000), TABULAR))
register_model(Model("knn", lambda rs: KNeighborsClassifier(n_neighbors=5), TABULAR))
register_model(Model("gboost", lambda rs: HistGradientBoostingClassifier(random_state=rs), TABULAR))
register_model(
    Model(
        "mlp",
        lambda rs: MLPClassifier(
            hidden_layer_sizes=(64,), max_iter=500, early_stopping=False, random_state=rs
        ),
        TABULAR,
    )
)
# Flattened baselines for series and images: a linear model and 1-NN with the
# Euclidean distance, the classic time-series classification baseline.
register_model(
    Model("logreg_flat", lambda rs: LogisticRegression(max_iter=2000), SERIES_AND_IMAGES)
)
register_model(Model("1nn_flat", lambda rs: KNeighborsClassifier(n_neighbors=1), SERIES_AND_IMAGES))
