"""Oversampling with learned time-series views (LEAVES, paper 001; an extension)."""

from numbers import Integral, Real

from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .._base import BaseLearnedSampler, learned_sampler_docstring
from .._docs import cites
from .._kinds import check_sequences
from ..modules import LearnedViews, ResNet18Encoder1d, SmallCNNEncoder1d
from ..nets import ContrastiveNet
from ..nets._base import fit_cached

_ENCODERS = {"small_cnn": SmallCNNEncoder1d, "resnet18": ResNet18Encoder1d}


@learned_sampler_docstring
@cites("yu2022")
class LearnedViewSampler(BaseLearnedSampler):
    """Oversample sequences with views whose augmentation policy LEAVES learned on ``X``.

    Not in the paper, which uses the views for contrastive pre-training only:
    ``fit_resample`` learns the LEAVES policy on ``X`` without labels (jitter,
    scaling and magnitude-warp strengths, permutation segments and the
    time-distortion mixture, adversarially to a contrastive encoder;
    :class:`~skadvaug.nets.ContrastiveNet`) and creates each class's
    requested samples as views of seeds of that class. A view is computed on
    the seed scaled to [0, 1] per channel (as in training) and mapped back to
    the seed's own range. Labels or continuous targets (``rare_threshold``)
    only choose the seeds.

    ``X`` holds sequences ``(n_samples, n_channels, n_timepoints)``; a 2-D
    ``X`` is read as univariate series ``(n_samples, n_timepoints)``, as aeon
    and :class:`~skadvaug.transformers.ContrastiveEncoder` read it, which makes
    sense only when its columns are time steps (a table's features have no time
    axis to warp or permute), and the samples come back 2-D.

    Parameters
    ----------
    {sampling_strategy}

    encoder : {{"small_cnn", "resnet18"}}, default="small_cnn"
        Encoder of the pre-training (the paper's 1-D ResNet-18 is about ten
        times slower on a CPU).

    views_params : dict, default=None
        Arguments of :class:`~skadvaug.modules.LearnedViews` (``bound``,
        ``n_components``, ``order``...).

    temperature : float, default=0.05
        NT-Xent temperature (the paper's).

    view_lr : float, default=1e-3
        Adam learning rate of the views (the paper's; the policy moves slowly
        at it, spec paper001 §3.4).

    pretrain_epochs : int or "auto", default="auto"
        Pre-training epochs; ``"auto"``: about 500 optimiser steps whatever the
        size of the data (whole epochs, at most 100, so series sets of up to 640
        samples train 100 epochs; beyond 500 batches, 500 batches' worth of one
        shuffled pass, in batches grown up to 4 times on larger data). A step
        costs the same per sample at any batch size, so the budget is what keeps
        a fit on a million series below SMOTE's time (issue 20's speed suite).

    batch_size : int, default=128
        Pre-training batch size (the paper's).

    lr : float, default=1e-3
        Adam learning rate of the encoder.

    {rare_threshold}

    memory : str, joblib.Memory or None, default=None
        Caches the learned policy (scikit-learn's ``memory`` convention; a
        string is a folder): fits with the same ``X``, seed and pre-training
        parameters reuse it -- labels and ``sampling_strategy`` play no part in
        it -- so a grid search over ``sampling_strategy`` pre-trains once per
        fold. ``None`` caches nothing.

    {device}

    {verbose}

    {random_state}

    Attributes
    ----------
    {fitted_attributes}

    surrogate_ : skadvaug.nets.ContrastiveNet
        The pre-training; ``surrogate_.views_.effective_params()`` is the
        learned policy.

    learned_params_ : dict
        That policy.

    %(references)s

    Examples
    --------
    >>> from collections import Counter
    >>> from skadvaug.datasets import make_imbalanced_sequences
    >>> from skadvaug.over_sampling import LearnedViewSampler
    >>> X, y = make_imbalanced_sequences(n_samples=100, n_timepoints=32, random_state=0)
    >>> sampler = LearnedViewSampler(pretrain_epochs=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape[1:] == X.shape[1:], sorted(Counter(y_res.tolist()).values())
    (True, [91, 91])
    """

    _parameter_constraints: dict = {
        **BaseLearnedSampler._parameter_constraints,
        "encoder": [StrOptions(set(_ENCODERS))],
        "views_params": [dict, None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "view_lr": [Interval(Real, 0, None, closed="neither")],
        "pretrain_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "memory": [None, str, HasMethods(["cache"])],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        encoder="small_cnn",
        views_params=None,
        temperature=0.05,
        view_lr=1e-3,
        pretrain_epochs="auto",
        batch_size=128,
        lr=1e-3,
        rare_threshold=None,
        memory=None,
        device="auto",
        n_threads=1,
        verbose=0,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            rare_threshold=rare_threshold,
            device=device,
            n_threads=n_threads,
            verbose=verbose,
            random_state=random_state,
        )
        self.encoder = encoder
        self.views_params = views_params
        self.temperature = temperature
        self.view_lr = view_lr
        self.pretrain_epochs = pretrain_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.memory = memory

    # optimiser steps of pretrain_epochs="auto"
    _auto_steps = 500

    def _make_net(self, X, y, *, random_state):
        batch_size = min(self.batch_size, len(X))
        return ContrastiveNet(
            _ENCODERS[self.encoder],
            views=LearnedViews,  # a class, so that memory can hash the unfitted net
            temperature=self.temperature,
            view_lr=self.view_lr,
            lr=self.lr,
            **self._budget(
                self.pretrain_epochs, len(X), batch_size, steps=self._auto_steps, high=100
            ),
            device=self.device_,
            n_threads=self.n_threads,
            verbose=self._net_verbose(),
            random_state=self._torch_seed(random_state),
            **{f"views__{name}": value for name, value in (self.views_params or {}).items()},
        )

    def _fit_augmentation(self, X, y, *, groups, random_state):
        # self-supervised: the views are learned on X alone, in its own units
        X = check_sequences(X, self)
        self.surrogate_ = fit_cached(
            self.memory, self._make_net(X, y, random_state=random_state), X
        )
        self.learned_params_ = self.surrogate_.views_.effective_params()

    def _augment(self, X_seeds, y_seeds, *, group, random_state):
        views = self.surrogate_.augment(
            check_sequences(X_seeds, self), generator=self._torch_generator(random_state)
        )
        return views.reshape(X_seeds.shape)
