"""torch modules only (no scikit-learn): backbones, discriminators, augmenters, networks.

``DEFAULT_AUTOENCODERS`` and ``DEFAULT_NETWORKS`` map a data kind (``"tabular"``,
``"sequence"``, ``"image"``) to the module used when none is given.
"""

from ._augmenters import (
    Augmenter,
    ClassicAugmenter,
    FlowLatentAttack,
    LatentAugmenter,
    StructuredAttack,
    freeze,
)
from ._autoencoders import ConvAutoencoder1d, ConvAutoencoder2d, MLPAutoencoder
from ._discriminator import Discriminator
from ._flows import (
    ActNorm,
    AffineCoupling,
    CouplingFlow1d,
    CouplingFlow2d,
    InvertibleConv1x1,
    TimeSplitCoupling,
    VectorFlow,
)
from ._generative import ConditionalCritic, ConditionalGeneration, ConditionalGenerator
from ._networks import CNN1dNet, CNN2dNet, GRUNet, MLPNet
from ._perturbation import LatentPerturbation
from ._views import (
    LearnedViews,
    NTXentLoss,
    RandomViews,
    ResNet18Encoder1d,
    SmallCNNEncoder1d,
    ViewMaker1d,
)

DEFAULT_AUTOENCODERS = {
    "tabular": MLPAutoencoder,
    "sequence": ConvAutoencoder1d,
    "image": ConvAutoencoder2d,
}
# Paper 000's downstream model for sequences is a 2-layer GRU with 15 units (§4.2).
DEFAULT_NETWORKS = {"tabular": MLPNet, "sequence": GRUNet, "image": CNN2dNet}
DEFAULT_FLOWS = {"tabular": VectorFlow, "sequence": CouplingFlow1d, "image": CouplingFlow2d}

__all__ = [
    "ActNorm",
    "AffineCoupling",
    "Augmenter",
    "ClassicAugmenter",
    "FlowLatentAttack",
    "LatentAugmenter",
    "freeze",
    "CNN1dNet",
    "ConditionalCritic",
    "ConditionalGeneration",
    "ConditionalGenerator",
    "CNN2dNet",
    "ConvAutoencoder1d",
    "ConvAutoencoder2d",
    "CouplingFlow1d",
    "CouplingFlow2d",
    "DEFAULT_AUTOENCODERS",
    "DEFAULT_FLOWS",
    "DEFAULT_NETWORKS",
    "Discriminator",
    "GRUNet",
    "InvertibleConv1x1",
    "TimeSplitCoupling",
    "LatentPerturbation",
    "LearnedViews",
    "NTXentLoss",
    "RandomViews",
    "ResNet18Encoder1d",
    "SmallCNNEncoder1d",
    "StructuredAttack",
    "MLPAutoencoder",
    "MLPNet",
    "VectorFlow",
    "ViewMaker1d",
]
