"""skorch nets: the only place in skadvaug with training loops."""

from ._accelerate import AccelerateMixin
from ._autoencoder import AdversarialAutoencoderNet
from ._base import BaseNet
from ._callbacks import DivergenceGuard
from ._contrastive import ContrastiveClassifier, ContrastiveNet
from ._flow import FlowNet
from ._flow_latent import FlowLatentClassifier, FlowLatentRegressor
from ._joint import JointAugmentationNet
from ._latent_adversarial import LatentAdversarialClassifier, LatentAdversarialRegressor
from ._online import OnlineAugmentationClassifier, OnlineAugmentationRegressor
from ._structured import (
    STRUCTURED_ATTACK_PARAMETERS,
    StructuredAdversarialClassifier,
    StructuredAdversarialRegressor,
)
from ._worst_case import WorstCaseGeneratorClassifier, WorstCaseGeneratorRegressor

__all__ = [
    "AccelerateMixin",
    "AdversarialAutoencoderNet",
    "BaseNet",
    "ContrastiveClassifier",
    "ContrastiveNet",
    "DivergenceGuard",
    "FlowLatentClassifier",
    "FlowLatentRegressor",
    "FlowNet",
    "JointAugmentationNet",
    "LatentAdversarialClassifier",
    "LatentAdversarialRegressor",
    "OnlineAugmentationClassifier",
    "OnlineAugmentationRegressor",
    "STRUCTURED_ATTACK_PARAMETERS",
    "StructuredAdversarialClassifier",
    "StructuredAdversarialRegressor",
    "WorstCaseGeneratorClassifier",
    "WorstCaseGeneratorRegressor",
]
