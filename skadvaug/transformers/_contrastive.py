"""Contrastive pre-training as a transformer: series in, encoder features out (paper 001)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._base import TorchEstimatorMixin
from .._docs import cites
from .._kinds import check_sequences
from ..modules import (
    LearnedViews,
    RandomViews,
    ResNet18Encoder1d,
    SmallCNNEncoder1d,
    ViewMaker1d,
)
from ..nets import ContrastiveNet

ENCODERS = {"resnet18": ResNet18Encoder1d, "small_cnn": SmallCNNEncoder1d}


@cites("yu2022", "chen2020", "tamkin2021")
class ContrastiveEncoder(
    TorchEstimatorMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Pre-train a series encoder contrastively, then map series to its features.

    ``fit(X)`` runs SimCLR on ``X`` (``y`` is ignored) with the views chosen by
    ``views`` (:class:`~skadvaug.nets.ContrastiveNet`):

    - ``"leaves"``: LEAVES (Yu et al. 2022), differentiable augmentations whose
      parameters are learned adversarially to the encoder
      (:class:`~skadvaug.modules.LearnedViews`; ``learned_params_`` is the
      learned policy, ``history_`` its trajectory, the paper's Fig. 5);
    - ``"random"``: SimCLR with fixed random classic augmentations at strength
      ``sigma`` (the paper's tuned baseline, :class:`~skadvaug.modules.RandomViews`);
    - ``"viewmaker"``: a ViewMaker network adding an L1-bounded perturbation,
      learned adversarially (:class:`~skadvaug.modules.ViewMaker1d`).

    ``transform(X)`` returns the encoder's features (before the projection
    head), in eval mode and without augmentation, so the encoder can precede
    any scikit-learn model in a pipeline. A 2-D ``X`` is read as univariate
    series.

    Parameters
    ----------
    views : {"leaves", "random", "viewmaker"}, default="leaves"
        The views (see above).
    encoder : {"resnet18", "small_cnn"} or torch module class, default="resnet18"
        The paper's 1-D ResNet-18 (512 features) or a small CNN for quick
        runs (128 features), or a module taking ``input_shape`` with an
        ``n_features`` attribute.
    view_params : dict, default=None
        Extra constructor arguments of the view module (e.g. ``bound``,
        ``n_components`` for LEAVES, ``budget`` for ViewMaker, ``methods``,
        ``policy`` for random views).
    sigma : float, default=0.03
        Strength of the random views (``views="random"``).
    temperature : float, default=0.05
        NT-Xent temperature (the paper's; its code uses 0.5).
    projection_dims : tuple of int, default=(16,)
        Projection head widths.
    view_lr : float, default=1e-3
        Adam learning rate of learned views.
    lr : float, default=1e-3
        Adam learning rate of the encoder and head.
    batch_size : int, default=128
        The paper's.
    max_epochs : int or "auto", default="auto"
        Pre-training epochs. ``"auto"`` is a step budget: the paper's 100 epochs
        while the data holds at most 10 batches (1,280 series at the default
        batch size), else about 1,000 optimiser steps whatever the size of the
        data (whole epochs; beyond 1,000 batches, 1,000 batches' worth of one
        shuffled pass, in batches grown up to 4 times on larger data).
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the networks train.
    n_threads : int or None, default=1
        torch intra-op threads while fitting and transforming (see the
        samplers' ``n_threads``); ``None`` keeps torch's setting.
    verbose : int, default=0
        ``1`` shows one progress display for the fit (see the samplers'
        ``verbose``), ``2`` adds the epoch log.
    random_state : int, RandomState instance or None, default=None
        Seed of the pre-training.

    Attributes
    ----------
    net_ : skadvaug.nets.ContrastiveNet
        The fitted net (``net_.module_`` the encoder, ``net_.views_`` the views).
    learned_params_ : dict or None
        The learned LEAVES parameters (``views="leaves"``).
    history_ : list of dict
        Per epoch: ``train_loss`` and, for LEAVES, ``view_params``.
    n_features_in_ : int
        Channels of ``X``.

    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.transformers import ContrastiveEncoder
    >>> X = np.random.default_rng(0).normal(size=(40, 1, 32))
    >>> encoder = ContrastiveEncoder(encoder="small_cnn", max_epochs=2, batch_size=16,
    ...                              random_state=0).fit(X)
    >>> encoder.transform(X).shape, round(encoder.learned_params_["jitter_sigma"], 2)
    ((40, 128), 0.03)
    """

    _parameter_constraints: dict = {
        "views": [StrOptions({"leaves", "random", "viewmaker"})],
        "encoder": [StrOptions(set(ENCODERS)), type],
        "view_params": [dict, None],
        "sigma": [Interval(Real, 0, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "projection_dims": [tuple, list],
        "view_lr": [Interval(Real, 0, None, closed="neither")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": [Integral, "boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        views="leaves",
        *,
        encoder="resnet18",
        view_params=None,
        sigma=0.03,
        temperature=0.05,
        projection_dims=(16,),
        view_lr=1e-3,
        lr=1e-3,
        batch_size=128,
        max_epochs="auto",
        device="auto",
        n_threads=1,
        verbose=0,
        random_state=None,
    ):
        self.views = views
        self.encoder = encoder
        self.view_params = view_params
        self.sigma = sigma
        self.temperature = temperature
        self.projection_dims = projection_dims
        self.view_lr = view_lr
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.random_state = random_state

    def _check_series(self, X, reset):
        X = validate_data(
            self,
            X,
            reset=reset,
            allow_nd=True,
            dtype=[np.float64, np.float32],
            ensure_min_samples=2 if reset else 1,
        )
        return check_sequences(X, self)

    def _views(self, n_channels):
        """The views' class and its ``views__*`` arguments for the net.

        A class, not a module: a net pickles the modules it builds so that a net
        trained on a GPU loads on a CPU, not a module it is handed as a parameter.
        """
        params = dict(self.view_params or {})
        if self.views == "leaves":
            views, params = LearnedViews, params
        elif self.views == "random":
            views, params = RandomViews, {"sigma": self.sigma, **params}
        else:
            views, params = ViewMaker1d, {"n_channels": n_channels, **params}
        return {"views": views, **{f"views__{key}": value for key, value in params.items()}}

    def fit(self, X, y=None):
        """Pre-train the encoder on ``X`` (``y`` is ignored).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or \
                (n_samples, n_timepoints)
            Series.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        self._validate_params()
        X = self._check_series(X, reset=True)
        if len(X) < 2:
            raise ValueError("ContrastiveEncoder needs at least 2 samples to contrast.")
        self._resolve_device()
        encoder = ENCODERS.get(self.encoder, self.encoder)
        self.net_ = ContrastiveNet(
            encoder,
            **self._views(X.shape[1]),
            temperature=self.temperature,
            projection_dims=tuple(self.projection_dims),
            view_lr=self.view_lr,
            lr=self.lr,
            **self._budget(
                self.max_epochs, len(X), min(self.batch_size, len(X)), steps=1000, high=100
            ),
            device=self.device_,
            n_threads=self.n_threads,
            verbose=self._net_verbose(),
            random_state=self._torch_seed(self.random_state),
        )
        with self._fit_progress():
            self.net_.fit(X)
        views = self.net_.views_
        self.learned_params_ = views.effective_params() if self.views == "leaves" else None
        self.history_ = self.net_.history.to_list()
        self._n_features_out = self.net_.module_.n_features
        return self

    def transform(self, X):
        """Encoder features of ``X`` (no augmentation).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or \
                (n_samples, n_timepoints)
            Series of the fitted shape.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "net_")
        return self.net_.transform(self._check_series(X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = False
        return tags
