"""The three-player worst-case game of paper 002: generator, critic and classifier.

Guo et al. (2019) relax a distributionally robust risk over a Wasserstein ball
around the (bad) training data into a game: a conditional generator ``G``
draws a distribution ``Q`` that a conditional critic ``D`` keeps close to the
data (weight ``lambda = 1 / epsilon``) while it *raises* the classifier
``C``'s loss on it; ``C`` lowers its loss on ``Q`` (and, by default, on the
real data). ``epsilon -> 0`` leaves a plain conditional WGAN-GP whose samples
``C`` also trains on: the paper's DAGAN-like augmentation baseline.

The paper's Algorithm 1 is in an appendix that is not available, so the loop
is the reconstruction of spec paper002 §1.3; each choice it leaves open is a
parameter with a documented default.
"""

from numbers import Integral, Real

import numpy as np
import torch
from imblearn.utils._docstring import Substitution
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.utils import to_device
from torch.nn import functional as F

from .._docs import cites
from ..modules import (
    CNN1dNet,
    CNN2dNet,
    ConditionalCritic,
    ConditionalGeneration,
    ConditionalGenerator,
    MLPNet,
)
from ._joint import CLASSIFIER_PARAMETERS, ClassifierTargets, JointAugmentationNet, RegressorTargets

# The spec's classifier per kind: MLP for tables, small CNNs for grids.
WORST_CASE_CLASSIFIERS = {"tabular": MLPNet, "sequence": CNN1dNet, "image": CNN2dNet}


def gradient_penalty(critic, real, fake, y, *, generator=None):
    """WGAN-GP's ``E[(||grad_x D(x_hat, y)|| - 1)^2]`` on per-sample interpolates.

    ``x_hat = a real + (1 - a) fake`` with one ``a ~ U(0, 1)`` per sample and the
    real samples' targets ``y`` (Gulrajani et al. 2017, conditional form).
    """
    shape = (len(real),) + (1,) * (real.ndim - 1)
    mix = torch.rand(shape, generator=generator, dtype=real.dtype, device=real.device)
    interpolates = (mix * real + (1 - mix) * fake).detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(
        critic(interpolates, y).sum(), interpolates, create_graph=True
    )
    return (gradient.flatten(1).norm(dim=1) - 1).pow(2).mean()


class _WorstCaseNet(JointAugmentationNet):
    """The three-player game (shared by the classifier and the regressor).

    ``module_`` is the classifier ``C`` (skorch's ``optimizer_``, ``lr``);
    ``augmenter_`` wraps the generator ``G`` (player ``"augmenter"``,
    ``generator_lr``) and ``critic_`` is ``D`` (``critic_lr``). Each training
    batch of real data is one critic step; every ``n_critic``-th batch adds a
    generator step and a classifier step (spec §1.3).
    """

    _default_modules = WORST_CASE_CLASSIFIERS
    _players = {"augmenter": "generator_lr", "critic": "critic_lr"}
    _phase = "three-player game"
    _extra_losses = (
        "critic_loss",
        "generator_loss",
        "classifier_loss",
        "distance_estimate",
        "gradient_penalty",
        "generated_loss",
    )
    prefixes_ = [*JointAugmentationNet.prefixes_, "generator", "critic"]
    _parameter_constraints: dict = {
        **JointAugmentationNet._parameter_constraints,
        "generator": [type, None],
        "critic": [type, None],
        "distance": [StrOptions({"wasserstein", "js"})],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "real_weight": [Interval(Real, 0, None, closed="left")],
        "generated_weight": [Interval(Real, 0, None, closed="left")],
        "label_sampling": [StrOptions({"uniform", "empirical"})],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden": [Interval(Integral, 1, None, closed="left")],
        "n_critic": [Interval(Integral, 1, None, closed="left")],
        "gp_weight": [Interval(Real, 0, None, closed="left")],
        "warmup_fraction": [Interval(Real, 0, 1, closed="both")],
        "lr_decay": [StrOptions({"linear", "none"})],
        "classifier_steps": [StrOptions({"every_batch", "per_generator_step"})],
        "generator_lr": [Interval(Real, 0, None, closed="neither")],
        "critic_lr": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        module=None,
        criterion=None,
        *,
        generator=None,
        critic=None,
        distance="wasserstein",
        epsilon=0.3,
        real_weight=1.0,
        generated_weight=1.0,
        label_sampling="uniform",
        latent_dim=32,
        hidden=256,
        n_critic=5,
        gp_weight=10.0,
        warmup_fraction=0.1,
        lr_decay="linear",
        classifier_steps="every_batch",
        generator_lr=2e-4,
        critic_lr=2e-4,
        batch_size=64,
        max_epochs=100,
        **kwargs,
    ):
        # WGAN-GP's Adam betas for the two GAN players (Gulrajani et al. 2017)
        kwargs.setdefault("optimizer_augmenter__betas", (0.5, 0.9))
        kwargs.setdefault("optimizer_critic__betas", (0.5, 0.9))
        super().__init__(module, criterion, batch_size=batch_size, max_epochs=max_epochs, **kwargs)
        self.generator = generator
        self.critic = critic
        self.distance = distance
        self.epsilon = epsilon
        self.real_weight = real_weight
        self.generated_weight = generated_weight
        self.label_sampling = label_sampling
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.warmup_fraction = warmup_fraction
        self.lr_decay = lr_decay
        self.classifier_steps = classifier_steps
        self.generator_lr = generator_lr
        self.critic_lr = critic_lr

    # ---------------------------------------------------------------- modules
    def _n_classes(self):
        return len(self.classes_) if isinstance(self, ClassifierTargets) else 0

    def _fit_backbone(self, X, y):
        axes = (0, *range(2, X.ndim))
        keep = (-1, *([1] * (X.ndim - 2)))
        self.data_low_ = X.min(axis=axes).reshape(keep)
        self.data_high_ = X.max(axis=axes).reshape(keep)

    def _build_augmenter(self):
        params = {"latent_dim": self.latent_dim, "hidden": self.hidden}
        generator = self._build(
            self.generator or ConditionalGenerator,
            "generator",
            n_classes=self._n_classes(),
            output_low=self.data_low_,
            output_high=np.maximum(self.data_high_, self.data_low_ + 1e-6),
            **params,
        )
        self.critic_ = self._build(
            self.critic or ConditionalCritic,
            "critic",
            n_classes=self._n_classes(),
            hidden=self.hidden,
        )
        return ConditionalGeneration(generator)

    # --------------------------------------------------------------- training
    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        # the learning rates decay to 0 over the critic steps this fit will take
        self.n_critic_steps_ = self._planned_steps(len(y))
        self.critic_steps_ = 0
        self.generator_steps_ = 0
        self._initial_lrs = {
            name: [group["lr"] for group in optimizer.param_groups]
            for name, optimizer in self._game_optimizers().items()
        }

    def _game_optimizers(self):
        return {
            "module": self.optimizer_,
            "augmenter": self.optimizer_augmenter_,
            "critic": self.optimizer_critic_,
        }

    def _decay_learning_rates(self):
        if self.lr_decay == "none":
            return
        factor = max(0.0, 1.0 - self.critic_steps_ / max(1, self.n_critic_steps_))
        for name, optimizer in self._game_optimizers().items():
            for group, initial in zip(optimizer.param_groups, self._initial_lrs[name], strict=True):
                group["lr"] = initial * factor

    def _warming_up(self):
        return self.critic_steps_ < self.warmup_fraction * self.n_critic_steps_

    def _sample_targets(self, y, rare):
        """``batch_size`` targets of a generated batch, whatever the size of the real batch
        (a short last batch must not shrink the generator's and classifier's steps):
        classes uniformly or as in the batch (classes), or the batch's targets with rare
        and common drawn equally often (regression)."""
        n = self.batch_size
        if self.label_sampling == "empirical":
            return y[torch.randint(len(y), (n,), device=y.device)]
        if self._n_classes():
            return torch.randint(self._n_classes(), (n,), device=y.device)
        weights = torch.where(rare, 1.0 / rare.sum().clamp_min(1), 1.0 / (~rare).sum().clamp_min(1))
        return y[torch.multinomial(weights, n, replacement=True)]

    def _critic_loss(self, real, fake, y):
        # one pass over both halves: the critic scores each sample on its own
        real_score, fake_score = self.critic_(torch.cat([real, fake]), torch.cat([y, y])).chunk(2)
        if self.distance == "js":
            loss = F.binary_cross_entropy_with_logits(
                real_score, torch.ones_like(real_score)
            ) + F.binary_cross_entropy_with_logits(fake_score, torch.zeros_like(fake_score))
            return loss, (real_score - fake_score).mean(), torch.zeros(())
        penalty = gradient_penalty(self.critic_, real, fake, y)
        distance = real_score.mean() - fake_score.mean()
        return -distance + self.gp_weight * penalty, distance, penalty

    def _generator_gan_term(self, fake, y):
        """What G lowers to look real to D: ``-D`` (Wasserstein) or ``-log D`` (JS, the
        non-saturating form of the corrected eq. 14)."""
        score = self.critic_(fake, y)
        if self.distance == "js":
            return F.binary_cross_entropy_with_logits(score, torch.ones_like(score))
        return -score.mean()

    def _generator_loss(self, generated, targets, *, warm=False):
        """``G``'s loss: ``lambda * gan_term - C's loss`` on its samples (just the GAN
        term for ``epsilon = 0`` and during the warm-up), and ``C``'s loss."""
        generated_loss = self.get_loss(self.module_(generated), targets)
        loss = self._generator_gan_term(generated, targets)
        if self.epsilon > 0 and not warm:  # lambda = 1 / epsilon weighs the critic term
            loss = loss / self.epsilon - generated_loss
        return loss, generated_loss

    def _classifier_loss(self, y_pred, y, generated, targets, *, warm=False):
        """``C``'s loss: ``real_weight`` x its loss on the real batch (``y_pred``) plus
        ``generated_weight`` x its loss on the generated one (after the warm-up)."""
        loss = self.real_weight * self.get_loss(y_pred, y, training=True)
        if not warm:
            loss = loss + self.generated_weight * self.get_loss(self.module_(generated), targets)
        return loss

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        inputs, y = to_device(batch, self.device)
        X, rare = inputs["X"], inputs["rare"].bool()
        step = {}

        self.critic_steps_ += 1
        generator_step = self.critic_steps_ % self.n_critic == 0
        targets = self._sample_targets(y, rare)
        # One generator pass makes the critic's fakes (for the real batch's targets)
        # and, when a player trains on them, the generated batch (sampled targets);
        # the critic's step does not change G, so both come from the same G.
        with_generated = generator_step or self.classifier_steps == "every_batch"
        conditions = torch.cat([y, targets]) if with_generated else y
        seeds = X.new_zeros((len(conditions), *X.shape[1:]))  # only number and shape count
        with torch.set_grad_enabled(generator_step):
            output = self.augmenter_(seeds, conditions)
        fake, generated = output[: len(X)].detach(), output[len(X) :]

        critic_loss, distance, penalty = self._critic_loss(X, fake, y)
        self._step_players(critic_loss, descend=("critic",))
        step.update(
            critic_loss=critic_loss.detach(),
            distance_estimate=distance.detach(),
            gradient_penalty=penalty.detach(),
        )

        warm = self._warming_up()
        if generator_step:
            generator_loss, generated_loss = self._generator_loss(generated, targets, warm=warm)
            self._step_players(generator_loss, descend=("augmenter",))
            self.generator_steps_ += 1
            step.update(
                generator_loss=generator_loss.detach(), generated_loss=generated_loss.detach()
            )
            generated = generated.detach()
        elif not with_generated:
            generated = None

        if generated is not None:
            y_pred = self.module_(X)
            classifier_loss = self._classifier_loss(y_pred, y, generated, targets, warm=warm)
            self._step_players(classifier_loss, descend=("module",))
            step["classifier_loss"] = classifier_loss.detach()
        else:
            with torch.no_grad():
                y_pred = self.module_(X)
        self._decay_learning_rates()
        step["loss"] = self.get_loss(y_pred, y).detach()
        step["y_pred"] = y_pred.detach()
        return step

    # --------------------------------------------------------------- outputs
    def sample(self, y, generator=None):
        """``G(z, y)`` for each target of ``y`` (numpy, in the training data's units)."""
        targets = self._known_targets(y)
        shape = self.input_shape_
        return self.augment(np.zeros((len(targets), *shape), dtype=np.float32), y, generator)


_DOC = """
    Parameters
    ----------
    module : torch module class or None, default=None
        The classifier ``C`` (``input_shape``, ``n_outputs``); ``None``:
        :class:`~skadvaug.modules.MLPNet`, :class:`~skadvaug.modules.CNN1dNet`
        or :class:`~skadvaug.modules.CNN2dNet` by data kind.
    generator, critic : torch module class or None, default=None
        ``G(z, y)`` and ``D(x, y)`` (taking ``input_shape`` and ``n_classes``;
        ``generator__*`` / ``critic__*`` parameters reach them); ``None``:
        :class:`~skadvaug.modules.ConditionalGenerator` and
        :class:`~skadvaug.modules.ConditionalCritic` (no batch norm in the
        critic: the gradient penalty is per sample).
    distance : {"wasserstein", "js"}, default="wasserstein"
        Eq. 10 (conditional WGAN-GP critic) or eq. 14 with its signs corrected
        (the critic a probability; non-saturating generator loss).
    epsilon : float, default=0.3
        Radius of the ambiguity ball; ``lambda = 1 / epsilon`` weighs the
        critic term of ``G``'s loss against ``C``'s loss on generated samples,
        which ``G`` raises. The paper's best value on CIFAR-10 (Fig. 2d).
        ``0``: no classifier term, a plain conditional WGAN-GP whose samples
        ``C`` trains on (the paper's DAGAN-like baseline).
    real_weight : float, default=1.0
        Weight of ``C``'s loss on real data (0: the paper-literal eq. 10, which
        trains ``C`` on generated samples only; about 2 points worse on digits).
    generated_weight : float, default=1.0
        Weight of ``C``'s loss on generated data.
    label_sampling : {"uniform", "empirical"}, default="uniform"
        Targets of the generated batches: every class equally often (every
        group, rare and common, for continuous targets) or as in the data.
    latent_dim : int, default=32
        Size of the generator's noise.
    hidden : int, default=256
        Width of the generator's and critic's hidden layers.
    n_critic : int, default=5
        Critic steps per generator and classifier step (WGAN-GP).
    gp_weight : float, default=10.0
        Gradient-penalty weight (WGAN-GP).
    warmup_fraction : float, default=0.1
        Share of the training steps before ``C`` enters the game: ``G`` and
        ``D`` train as a plain conditional WGAN-GP and ``C`` on real data only
        (not in the paper: before ``C`` is meaningful, raising its loss only
        rewards junk).
    lr_decay : {"linear", "none"}, default="linear"
        Learning rates decay linearly to 0 over training ("learning rate decay
        is deployed", schedule unstated).
    classifier_steps : {"every_batch", "per_generator_step"}, default="every_batch"
        When ``C`` steps: on every real batch, with a generated batch of the
        current ``G`` (``C`` then sees every real sample once per epoch, as a
        plain classifier does), or once per generator step (spec §1.3's
        reconstruction, which trains ``C`` ``n_critic`` times less).
    generator_lr, critic_lr : float, default=2e-4
        Adam learning rates of ``G`` and ``D`` (the paper's), betas (0.5, 0.9).
    lr : float, default=1e-3
        Adam learning rate of ``C`` (the paper's 0.02 looks like an SGD-era
        value; spec paper002 P-8).
    batch_size : int, default=64
        Real samples per critic step.
    max_epochs : int, default=100
        Passes over the real data (``n / batch_size`` critic steps each).
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters.
"""

_ATTRIBUTES = """
    Attributes
    ----------
    augmenter_ : ConditionalGeneration
        The generator ``G`` (``augmenter_.generator``).
    critic_ : torch.nn.Module
        The critic ``D``.
    history : skorch History
        Per epoch: ``train_loss`` (``C`` on real data), ``critic_loss``,
        ``generator_loss``, ``classifier_loss``, ``generated_loss`` (``C`` on
        generated samples), ``distance_estimate`` (``E_data D - E_Q D``: the
        critic's Wasserstein estimate) and ``gradient_penalty``."""


@cites("guo2019")
@Substitution(
    shared_parameters=_DOC,
    shared_attributes=_ATTRIBUTES,
    classifier_parameters=CLASSIFIER_PARAMETERS,
)
class WorstCaseGeneratorClassifier(ClassifierTargets, _WorstCaseNet, NeuralNetClassifier):
    """Classifier trained against a class-conditional worst-case generator (paper 002).

    Guo et al. (2019): the classifier ``C`` plays a three-player game with a
    conditional generator ``G(z, y)`` and a conditional critic ``D(x, y)``:
    ``D`` estimates the Wasserstein distance (or JS divergence) between the
    data and ``G``'s samples, ``G`` minimises ``lambda`` times that distance
    *minus* ``C``'s loss on its samples (it seeks the worst case near the
    data), ``C`` minimises its loss on them and on the real data. ``predict``
    uses ``C``; ``sample(y)`` draws from ``G``.

    {shared_parameters}
    rare_classes : "all", array-like or None, default="all"
        Unused by the game (every class is generated); kept for the joint API.
    {classifier_parameters}
    {shared_attributes}
    classes_ : ndarray
        Class labels.

    %(references)s

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skadvaug.nets import WorstCaseGeneratorClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = (X[:300] / 16).astype("float32")
    >>> clf = WorstCaseGeneratorClassifier(max_epochs=5, random_state=0).fit(X, y[:300])
    >>> clf.predict(X[:3]).shape, clf.sample([3, 3]).shape
    ((3,), (2, 64))
    """

    def __init__(self, module=None, *, rare_classes="all", **kwargs):
        super().__init__(module, rare_classes=rare_classes, **kwargs)


@cites("guo2019")
@Substitution(shared_parameters=_DOC, shared_attributes=_ATTRIBUTES)
class WorstCaseGeneratorRegressor(RegressorTargets, _WorstCaseNet, NeuralNetRegressor):
    """Regressor trained against a target-conditional worst-case generator (paper 002).

    The regression form of :class:`WorstCaseGeneratorClassifier`: ``G`` and
    ``D`` condition on the (standardised) target value, ``G`` raises the
    regressor's squared error on its samples, and generated batches draw rare
    and common targets equally often (``label_sampling="uniform"``).
    {shared_parameters}
    rare_threshold : float or callable, default=None
        Targets above it are rare (required unless ``fit`` gets ``rare_mask``).
    {shared_attributes}
    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import make_sequence_regression
    >>> from skadvaug.nets import WorstCaseGeneratorRegressor
    >>> X, y = make_sequence_regression(n_samples=80, random_state=0)
    >>> reg = WorstCaseGeneratorRegressor(rare_threshold=float(np.quantile(y, 0.8)),
    ...                                   max_epochs=3, random_state=0).fit(X, y)
    >>> reg.predict(X[:4]).shape
    (4,)
    """
