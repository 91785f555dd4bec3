"""Downstream models per data kind and task; ``input`` says whether they see flat data."""

from dataclasses import dataclass

from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skadvaug.modules import CNN1dNet, CNN2dNet, GRUNet
from skadvaug.nets import OnlineAugmentationClassifier, OnlineAugmentationRegressor


@dataclass(frozen=True)
class Model:
    name: str
    factory: object  # random_state -> unfitted estimator
    kinds: frozenset
    input: str = "flat"  # "flat": 2-D features; "native": the data's own shape
    task: str = "classification"

    def build(self, random_state):
        return self.factory(random_state)


MODELS = {}


def register_model(model):
    if model.name in MODELS:
        raise ValueError(f"model {model.name!r} is registered twice")
    MODELS[model.name] = model
    return model


TABULAR = frozenset({"tabular"})
SEQUENCE = frozenset({"sequence"})
IMAGE = frozenset({"image"})
SERIES_AND_IMAGES = SEQUENCE | IMAGE
ALL = TABULAR | SERIES_AND_IMAGES


def _torch_classifier(module, epochs, batch_size=64):
    # skadvaug's online-augmentation net without augmentation is a plain skorch
    # classifier that builds its module from the data's shape (module=None: the
    # joint nets' default for the data kind).
    def factory(random_state):
        return OnlineAugmentationClassifier(
            module=module, max_epochs=epochs, batch_size=batch_size, random_state=random_state
        )

    return factory


def _standardised_target(regressor):
    # Networks train on standardised targets whatever their units.
    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


def _torch_regressor(module, epochs, batch_size=64):
    def factory(random_state):
        return _standardised_target(
            OnlineAugmentationRegressor(
                module=module, max_epochs=epochs, batch_size=batch_size, random_state=random_state
            )
        )

    return factory


# ---------------------------------------------------------------- classification
register_model(Model("logreg", lambda rs: LogisticRegression(max_iter=2000), TABULAR))
register_model(Model("knn", lambda rs: KNeighborsClassifier(n_neighbors=5), TABULAR))
register_model(Model("gboost", lambda rs: HistGradientBoostingClassifier(random_state=rs), TABULAR))
register_model(
    Model(
        "mlp",
        lambda rs: MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, random_state=rs),
        TABULAR,
    )
)
# Flattened baselines for series and images: a linear model and 1-NN with the
# Euclidean distance, the classic time-series classification baseline.
register_model(
    Model("logreg_flat", lambda rs: LogisticRegression(max_iter=2000), SERIES_AND_IMAGES)
)
register_model(Model("1nn_flat", lambda rs: KNeighborsClassifier(n_neighbors=1), SERIES_AND_IMAGES))
register_model(Model("cnn1d", _torch_classifier(CNN1dNet, 40), SEQUENCE, input="native"))
register_model(Model("gru", _torch_classifier(GRUNet, 40), SEQUENCE, input="native"))
register_model(Model("cnn2d", _torch_classifier(CNN2dNet, 30), IMAGE, input="native"))

# The plain networks the joint forms are compared with (benchmarks.methods, "[joint]"):
# each has the architecture and training budget of a joint net's classifier, without
# its augmentation -- "net" those of the latent adversarial and flow nets (MLP, GRU or
# 2-D CNN by kind, the joint nets' "auto" budget of about 500 steps, batches of 128;
# 10 epochs before the step budget reached the nets), "net_cnn1d" the structured adversarial
# net's on sequences, "net_game" / "net_game_cnn1d" the worst-case generator game's
# (100 epochs, batches of 64). tests/benchmarks/test_joint.py pins them together.
register_model(Model("net", _torch_classifier(None, "auto", 128), ALL, input="native"))
register_model(
    Model("net_cnn1d", _torch_classifier(CNN1dNet, "auto", 128), SEQUENCE, input="native")
)
register_model(Model("net_game", _torch_classifier(None, 100, 64), TABULAR, input="native"))
register_model(
    Model("net_game_cnn1d", _torch_classifier(CNN1dNet, 100, 64), SEQUENCE, input="native")
)

# -------------------------------------------------------------------- regression
register_model(Model("ridge", lambda rs: Ridge(), TABULAR, task="regression"))
register_model(
    Model("knn_reg", lambda rs: KNeighborsRegressor(n_neighbors=5), TABULAR, task="regression")
)
register_model(
    Model(
        "gboost_reg",
        lambda rs: HistGradientBoostingRegressor(random_state=rs),
        TABULAR,
        task="regression",
    )
)
register_model(
    Model(
        "mlp_reg",
        lambda rs: _standardised_target(
            MLPRegressor(hidden_layer_sizes=(64,), max_iter=1000, random_state=rs)
        ),
        TABULAR,
        task="regression",
    )
)
register_model(Model("ridge_flat", lambda rs: Ridge(), SERIES_AND_IMAGES, task="regression"))
register_model(
    Model("gru_reg", _torch_regressor(GRUNet, 40), SEQUENCE, input="native", task="regression")
)
