"""Base classes of every skadvaug sampler.

All input handling lives here, once: the three data kinds (tabular, sequence,
image), class labels with imbalanced-learn's ``sampling_strategy`` semantics,
continuous targets split into a rare and a common group by ``rare_threshold``
(imbalanced regression, Kim et al. 2021), the pandas round trip, seed drawing
and the "originals first, then synthetic rows" output. A sampler only says how
it learns (``_fit_augmentation``) and how it turns seeds into new samples
(``_augment``).
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy, check_target_type
from imblearn.utils._docstring import Substitution, _random_state_docstring
from imblearn.utils._validation import ArraysTransformer
from sklearn.base import _fit_context
from sklearn.preprocessing import label_binarize
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import FLOAT_DTYPES, validate_data

from ._kinds import DATA_KINDS
from ._targets import rare_mask
from ._torch_utils import check_device, draw_seed, step_budget, torch_generator, torch_threads
from .augment.interpolation import interpolate_seeds
from .nets._progress import fit_progress, plan_phases

_X_SHAPES = (
    "2-D (n_samples, n_features), 3-D (n_samples, n_channels, n_timepoints) "
    "or 4-D (n_samples, n_channels, height, width)"
)

_rare_threshold_docstring = """rare_threshold : float or callable, default=None
        Turns on imbalanced regression (Kim et al., 2021): ``y`` is then a
        continuous target, samples with ``y > rare_threshold`` (or where the
        callable ``rare_threshold(y)`` returns ``True``) form the ``"rare"`` group
        and the others the ``"common"`` group. ``sampling_strategy`` then refers
        to these two groups: ``"auto"`` equalises their counts, a float is the
        rare/common ratio after resampling, a dict maps ``"rare"``/``"common"``
        to the wanted counts. Synthetic samples keep the target of the sample
        they were made from. ``None`` means ``y`` holds class labels.""".rstrip()

_device_docstring = """device : {"auto", "cpu", "cuda"}, default="auto"
        Where the torch backbones are trained: ``"auto"`` uses CUDA when it is
        available, ``"cuda"`` without CUDA is an error.""".rstrip()

_n_threads_docstring = """n_threads : int or None, default=1
        torch intra-op threads while fitting and generating (restored after).
        One thread is the fastest for these small models on a few cores, keeps
        parallel grid searches from oversubscribing the machine, and makes the
        output the same whatever the machine's thread settings; more threads
        can speed up large convolutional backbones on many cores, with results
        that may then differ in their last bits. ``None`` keeps torch's setting.""".rstrip()

_verbose_docstring = """verbose : int, default=0
        ``0`` is silent; ``1`` shows one progress display on stderr for the
        whole fit (the phase running -- autoencoder, adversarial game, flow,
        surrogate... --, an overall bar and the time left; one line redrawn on a
        terminal, a line per phase start and end otherwise); ``2`` adds each
        network's epoch log, ``3`` skorch's progress bar per epoch.""".rstrip()


def learned_sampler_docstring(cls):
    """Fill a learned sampler's shared parameter and attribute docs (``{sampling_strategy}``,
    ``{rare_threshold}``, ``{device}``, ``{verbose}``, ``{random_state}``,
    ``{fitted_attributes}``)."""
    return Substitution(
        sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
        rare_threshold=_rare_threshold_docstring,
        device=_device_docstring + "\n\n    " + _n_threads_docstring,
        verbose=_verbose_docstring,
        random_state=_random_state_docstring,
        fitted_attributes=_fitted_attributes_docstring,
    )(cls)


_fitted_attributes_docstring = """sampling_strategy_ : dict
        Number of samples generated per class (or per ``"rare"``/``"common"``).

    data_kind_ : {"tabular", "sequence", "image"}
        Kind of the data seen in :meth:`fit_resample`.

    seed_indices_ : ndarray of shape (n_synthetic,)
        Row of ``X`` each synthetic sample was made from, in output order (set
        by :meth:`fit_resample`).

    device_ : str
        Device the backbones were trained on.

    n_features_in_ : int
        ``X.shape[1]``.""".rstrip()


def _ndim(X):
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        ndim = np.ndim(np.asarray(X, dtype=object))
    return ndim


def _plain(label):
    """A numpy scalar as the Python value it holds, for readable messages."""
    return label.item() if isinstance(label, np.generic) else label


class BaseAugmentationSampler(BaseOverSampler):
    """Oversampler that creates samples by augmenting seeds drawn per class.

    Warning: This class should not be used directly. Use the derived classes
    instead.

    Subclasses implement ``_augment(X_seeds, y_seeds, *, group, random_state)``
    and, when they learn from the data, ``_fit_augmentation(X, y, *, groups,
    random_state)``. ``_min_group_size`` says how many samples a class needs to
    be resampled.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "rare_threshold": [Real, callable, None],
    }

    def __init__(self, *, sampling_strategy="auto", rare_threshold=None, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.rare_threshold = rare_threshold
        self.random_state = random_state

    # ------------------------------------------------------------------ public API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, **params):
        """Check inputs and compute ``sampling_strategy_`` without resampling.

        Use :meth:`fit_resample` to get the resampled data.

        Parameters
        ----------
        X : {array-like, sparse matrix, dataframe} of shape (n_samples, n_features), \
                (n_samples, n_channels, n_timepoints) or \
                (n_samples, n_channels, height, width)
            Samples.

        y : array-like of shape (n_samples,)
            Class labels, or continuous targets when ``rare_threshold`` is set.

        **params : dict
            Unused, kept for compatibility.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        X, y, _ = self._check_X_y(X, y)
        groups = self._target_groups(y)
        self.sampling_strategy_ = self._check_sampling_strategy(groups)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y, **params):
        """Fit the augmentation and resample the dataset.

        Parameters
        ----------
        X : {array-like, sparse matrix, dataframe} of shape (n_samples, n_features), \
                (n_samples, n_channels, n_timepoints) or \
                (n_samples, n_channels, height, width)
            Samples. A DataFrame comes back as a DataFrame with the same
            columns (and dtypes, sparse ones included), a scipy sparse table
            as a sparse table of the same format (the augmentation itself works
            on the densified values); the caller's data is never modified.

        y : array-like of shape (n_samples,)
            Class labels, or continuous targets when ``rare_threshold`` is set.

        **params : dict
            Unused, kept for compatibility.

        Returns
        -------
        X_resampled : {ndarray, dataframe} of shape (n_samples_new, ...)
            The original samples followed by the synthetic ones.

        y_resampled : {ndarray, series} of shape (n_samples_new,)
            Their targets; a synthetic sample has the target of its seed.
        """
        arrays_transformer = ArraysTransformer(X, y)
        sparse_type = type(X) if sp.issparse(X) else None
        X, y, binarize_y = self._check_X_y(X, y)
        groups = self._target_groups(y)
        self.sampling_strategy_ = self._check_sampling_strategy(groups)
        self._check_group_sizes(groups)

        X_res, y_res = self._fit_resample(X, y, groups=groups)

        if sparse_type is not None:  # the caller's class: a sparse matrix or array
            X_res = sparse_type(X_res)
        if binarize_y:
            y_res = label_binarize(y_res, classes=np.unique(y))
        return arrays_transformer.transform(X_res, y_res)

    # ----------------------------------------------------------- subclass hooks
    def _fit_augmentation(self, X, y, *, groups, random_state):
        """Learn what the augmentation needs from the training data (default: none)."""

    def _augment(self, X_seeds, y_seeds, *, group, random_state):
        """Return one synthetic sample per seed, with the seeds' shape."""
        raise NotImplementedError

    def _min_group_size(self):
        """Smallest number of samples a class must have to be resampled."""
        return 1

    def _seed_neighbors(self):
        """``k`` to draw each seed between a sample and one of its ``k`` nearest
        same-group samples (SMOTE's rule) before ``_augment``; ``None``: the
        samples themselves are the seeds."""
        return None

    # ----------------------------------------------------------------- plumbing
    def _fit_resample(self, X, y, *, groups):
        random_state = check_random_state(self.random_state)
        self._fit_augmentation(X, y, groups=groups, random_state=random_state)

        X_res, y_res, seed_indices = [X], [y], [np.empty(0, dtype=np.intp)]
        for group, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            members = np.flatnonzero(groups == group)
            seeds = random_state.choice(members, size=n_samples, replace=True)
            X_seeds, y_seeds = self._seeds(X, y, members, seeds, random_state)
            X_new = self._augment(X_seeds, y_seeds, group=group, random_state=random_state)
            X_res.append(np.asarray(X_new, dtype=X.dtype))
            y_res.append(y_seeds)
            seed_indices.append(seeds)
        self.seed_indices_ = np.concatenate(seed_indices)
        return np.concatenate(X_res), np.concatenate(y_res)

    def _seeds(self, X, y, members, seeds, random_state):
        """The seeds' samples and targets: the drawn samples, or points between
        each and a near sample of its group (:meth:`_seed_neighbors`), with
        continuous targets interpolated alike (SMOTER's rule)."""
        k_neighbors = self._seed_neighbors()
        if k_neighbors is None or len(members) < 2:
            return X[seeds], y[seeds]
        X_seeds, partners, steps = interpolate_seeds(
            X[members],
            np.searchsorted(members, seeds),
            k_neighbors=k_neighbors,
            random_state=random_state,
        )
        y_seeds = y[seeds]
        if self.rare_threshold is not None:
            y_seeds = y_seeds + steps * (y[members[partners]] - y_seeds)
        return X_seeds, y_seeds

    def _check_X_y(self, X, y, accept_sparse=None):
        ndim = _ndim(X)
        if ndim not in DATA_KINDS:
            raise ValueError(f"X must be {_X_SHAPES}; got an array with ndim={ndim}.")
        regression = self.rare_threshold is not None
        binarize_y = False
        if not regression:
            y_type = type_of_target(y, input_name="y")
            if y_type in ("continuous", "continuous-multioutput"):
                raise ValueError(
                    f"Unknown label type: y looks like a {y_type} target. Pass "
                    "rare_threshold=<float or callable> to treat it as imbalanced "
                    "regression, or pass class labels."
                )
            if y_type not in ("binary", "multiclass", "multilabel-indicator"):
                raise ValueError(f"Unknown label type: {y_type!r}; y must hold class labels.")
            y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(
            self,
            X=X,
            y=y,
            reset=True,
            accept_sparse=["csr", "csc", "coo"],
            allow_nd=True,
            dtype=FLOAT_DTYPES,
            y_numeric=regression,
        )
        if sp.issparse(X):
            # every augmentation works on dense values (latent codes, flows, warps);
            # fit_resample gives the result back in the input's sparse class
            X = X.toarray()
        self.data_kind_ = DATA_KINDS[X.ndim]
        return X, y, binarize_y

    def _target_groups(self, y):
        """Labels that ``sampling_strategy`` refers to: the classes, or rare/common."""
        if self.rare_threshold is None:
            return y
        mask = rare_mask(y, self.rare_threshold)
        return np.where(mask, "rare", "common").astype(object)

    def _check_sampling_strategy(self, groups):
        labels = np.unique(groups)
        if labels.size < 2:
            raise ValueError(
                f"y contains one class only ({_plain(labels[0])!r}); an "
                "oversampler needs at least two classes."
            )
        if (
            self.rare_threshold is not None
            and isinstance(self.sampling_strategy, Real)
            and np.sum(groups == "rare") > np.sum(groups == "common")
        ):
            raise ValueError(
                f"sampling_strategy={self.sampling_strategy!r} is the rare/common "
                "ratio after resampling, but the rare group is already the larger "
                "one; raise rare_threshold or pass a dict."
            )
        try:
            return check_sampling_strategy(self.sampling_strategy, groups, self._sampling_type)
        except ValueError as exc:
            raise ValueError(
                f"Invalid sampling_strategy={self.sampling_strategy!r}: {exc}"
            ) from exc

    def _check_group_sizes(self, groups):
        needed = self._min_group_size()
        for group, n_samples in self.sampling_strategy_.items():
            count = int(np.sum(groups == group))
            if n_samples > 0 and count < needed:
                raise ValueError(
                    f"Class {_plain(group)!r} has {count} sample(s) but "
                    f"{type(self).__name__} needs at least {needed} to resample it "
                    "with these parameters."
                )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.three_d_array = True
        return tags


class TorchEstimatorMixin:
    """Plumbing every estimator with torch backbones shares (samplers and transformers).

    - :meth:`_resolve_device` sets ``device_`` from ``device`` (a missing GPU
      fails at once);
    - :meth:`_torch_seed` draws an integer seed for a net's ``random_state`` and
      :meth:`_torch_generator` a :class:`torch.Generator` on ``device_``, both
      from the estimator's own ``random_state`` so the global seeds stay
      untouched;
    - :meth:`_fit_standardizer` learns a per-feature (tables) or per-channel
      (sequences, images) mean and scale (``data_mean_``, ``data_scale_``):
      backbones train on standardised data whatever the units of the input, and
      :meth:`_unstandardize` maps their output back;
    - :meth:`_fit_target_scaler` does the same for continuous targets
      (``target_mean_``, ``target_scale_``);
    - :meth:`_budget` turns an ``"auto"`` training budget into epochs and steps;
    - :meth:`_fit_progress` opens the one progress display of a fit at
      ``verbose >= 1``, and :meth:`_net_verbose` is the verbosity the nets get
      (their own epoch logs from ``verbose=2`` on).
    """

    def _resolve_device(self):
        self.device_ = check_device(self.device)
        return self.device_

    @staticmethod
    def _torch_seed(random_state):
        """An integer seed for a net's ``random_state``, drawn from ours."""
        return draw_seed(random_state)

    def _torch_generator(self, random_state):
        """A :class:`torch.Generator` on ``device_`` seeded from ``random_state``."""
        return torch_generator(draw_seed(random_state), self.device_)

    def _fit_standardizer(self, X):
        axes = tuple(axis for axis in range(X.ndim) if axis != 1)
        self.data_mean_ = X.mean(axis=axes, keepdims=True, dtype=np.float64)[0]
        scale = X.std(axis=axes, keepdims=True, dtype=np.float64)[0]  # float16 overflows
        self.data_scale_ = np.where(scale > 0, scale, 1.0)

    def _standardize(self, X):
        return ((X - self.data_mean_) / self.data_scale_).astype(np.float32)

    def _unstandardize(self, X):
        return X * self.data_scale_ + self.data_mean_

    def _fit_target_scaler(self, y):
        self.target_mean_, self.target_scale_ = float(y.mean()), float(y.std() or 1.0)

    def _scale_targets(self, y):
        return ((y - self.target_mean_) / self.target_scale_).astype(np.float32)

    def _fit_progress(self):
        return fit_progress(type(self).__name__, self.verbose)

    def _net_verbose(self):
        return max(int(self.verbose) - 1, 0)

    @staticmethod
    def _budget(epochs, n_samples, batch_size, *, steps, high, prefix=""):
        """A net's training budget as its parameters ``{prefix}max_epochs``,
        ``{prefix}max_steps`` and ``{prefix}batch_size``
        (:func:`~skadvaug._torch_utils.step_budget`)."""
        budget = step_budget(epochs, n_samples, batch_size, steps=steps, high=high)
        names = (f"{prefix}max_epochs", f"{prefix}max_steps", f"{prefix}batch_size")
        return dict(zip(names, budget, strict=True))


class BaseLearnedSampler(TorchEstimatorMixin, BaseAugmentationSampler):
    """Augmentation sampler whose work is done by a joint net's augmenter.

    Warning: This class should not be used directly. Use the derived classes
    instead.

    A subclass only builds its net: :meth:`_make_net` returns an unfitted
    :class:`~skadvaug.nets.JointAugmentationNet` (classifier or regressor by
    ``rare_threshold``). This class standardises the data (and continuous
    targets), fits the net on it with the samples of the classes to resample as
    its rare set, and generates with the net's public ``augment``, mapping the
    result back to the input's units.
    """

    _parameter_constraints: dict = {
        **BaseAugmentationSampler._parameter_constraints,
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": [Integral, "boolean"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        rare_threshold=None,
        device="auto",
        n_threads=1,
        verbose=0,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            rare_threshold=rare_threshold,
            random_state=random_state,
        )
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    def _fit_resample(self, X, y, *, groups):
        # the nets it builds get n_threads too, and keep it for their own work
        with torch_threads(self.n_threads), self._fit_progress():
            return super()._fit_resample(X, y, groups=groups)

    def _check_X_y(self, X, y, accept_sparse=None):
        # Resolve the device before any work so a missing GPU fails at once.
        self._resolve_device()
        return super()._check_X_y(X, y, accept_sparse=accept_sparse)

    # ----------------------------------------------------------- subclass hooks
    def _make_net(self, X, y, *, random_state):
        """The unfitted joint net for the training data ``X``, ``y`` (input units)."""
        raise NotImplementedError

    # ----------------------------------------------------------------- plumbing
    def _pick_net(self, classifier, regressor):
        """The joint net class for the targets and, for a classifier, its label-keeping
        parameters: ``preserve_labels`` with a class-balanced surrogate, so its boundary
        is not pushed into the minority region. ``preserve_labels`` or ``local_budget``
        (per-seed budgets against the other classes) with continuous targets is a
        ``ValueError``."""
        preserve = self._preserves_labels()
        if self.rare_threshold is not None:
            if preserve:
                raise ValueError(
                    "preserve_labels=True keeps each synthetic sample's class; it cannot be "
                    "used with continuous targets (rare_threshold)."
                )
            if getattr(self, "local_budget", False) is True:
                raise ValueError(
                    "local_budget=True needs classes; it cannot be used with rare_threshold "
                    "(continuous targets)."
                )
            return regressor, {}
        return classifier, {
            "preserve_labels": preserve,
            "class_weight": "balanced" if preserve else None,
        }

    def _preserves_labels(self):
        """``preserve_labels`` as the net gets it (a sampler with an ``"auto"`` resolves it)."""
        return getattr(self, "preserve_labels", False)

    def _net_targets(self, y):
        """Targets as the net sees them: class labels, or standardised targets."""
        return y if self.rare_threshold is None else self._scale_targets(y)

    def _fit_augmentation(self, X, y, *, groups, random_state):
        self._fit_standardizer(X)
        if self.rare_threshold is not None:
            self._fit_target_scaler(y)
        resampled = [group for group, n in self.sampling_strategy_.items() if n > 0]
        net = self._make_net(X, y, random_state=random_state)
        plan_phases(net._planned_phases(len(X)))
        self.surrogate_ = net.fit(
            self._standardize(X), self._net_targets(y), rare_mask=np.isin(groups, resampled)
        )

    def _augment(self, X_seeds, y_seeds, *, group, random_state):
        generated = self.surrogate_.augment(
            self._standardize(X_seeds),
            self._net_targets(y_seeds),
            generator=self._torch_generator(random_state),
        )
        return self._unstandardize(generated)
