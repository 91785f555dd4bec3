"""Oversampling with the classic time-series augmentations."""

from numbers import Integral, Real

from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils._docstring import Substitution, _random_state_docstring
from sklearn.utils._param_validation import Interval, StrOptions

from .. import augment
from .._base import BaseAugmentationSampler, _rare_threshold_docstring


@Substitution(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
    rare_threshold=_rare_threshold_docstring,
    random_state=_random_state_docstring,
)
class TimeSeriesAugmentationSampler(BaseAugmentationSampler):
    """Oversample by applying a classic augmentation to randomly drawn seeds.

    For every class to resample, seeds are drawn with replacement from that
    class and each seed is augmented once with ``method`` (jitter, scaling,
    magnitude warp, time warp, window warp, window slice, permutation,
    translation: the augmentations of Kim et al. 2021, Yu et al. 2022 and Iwana
    & Uchida's survey, see :mod:`skadvaug.augment`). The synthetic sample keeps
    its seed's target, so continuous targets work too (``rare_threshold``).

    Sequences ``(n_samples, n_channels, n_timepoints)`` accept every method;
    tables ``(n_samples, n_features)`` accept ``"jitter"`` and ``"scaling"``
    (each feature treated as a channel), images ``(n_samples, n_channels, height,
    width)`` those two and ``"translation"``. Magnitudes (``sigma``) are in data
    units, so standardise the data first.

    Parameters
    ----------
    method : {{"jitter", "scaling", "magnitude_warp", "time_warp", \
"window_warp", "window_slice", "permutation", "translation"}}, default="jitter"
        The augmentation.

    {sampling_strategy}

    sigma : float, default=None
        Strength of ``jitter`` (noise std), ``scaling``, ``magnitude_warp`` and
        ``time_warp`` (std of factors / knots around 1) and ``translation``
        (offset std). ``None`` uses each method's default: 0.03, 0.1, 0.2, 0.2
        and 0.1.

    n_knots : int, default=4
        Interior knots of the smooth curves of ``magnitude_warp`` and
        ``time_warp``.

    window_ratio : float, default=0.1
        Fraction of the series warped by ``window_warp``.

    warp_scales : sequence of float, default=(0.5, 2.0)
        Stretch factors ``window_warp`` chooses from.

    reduce_ratio : float, default=0.9
        Fraction of the series kept by ``window_slice``.

    max_segments : int, default=5
        Largest number of segments ``permutation`` cuts a series into.

    segments : {{"equal", "random"}}, default="equal"
        Where ``permutation`` cuts.

    {rare_threshold}

    {random_state}

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class (or per ``"rare"``/``"common"``
        group).

    data_kind_ : {{"tabular", "sequence", "image"}}
        Kind of the data seen in :meth:`fit_resample`.

    seed_indices_ : ndarray of shape (n_synthetic,)
        Row of ``X`` each synthetic sample was made from, in output order.

    n_features_in_ : int
        ``X.shape[1]``: features, or channels for sequences and images.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` is a DataFrame with string column names.

    See Also
    --------
    imblearn.over_sampling.RandomOverSampler : Duplicates seeds instead.
    imblearn.over_sampling.SMOTE : Interpolates between neighbours (tables only).

    References
    ----------
    .. [1] B. Kim, J.-H. Choi and J. Choo, "Augmenting imbalanced time-series data
       via adversarial perturbation in latent space", ACML 2021 (§2.1, §4.3).
    .. [2] H. Yu et al., "LEAVES: Learning Views for Time-Series Data in
       Contrastive Learning", 2022 (Appendix A.1).
    .. [3] B. K. Iwana and S. Uchida, "An empirical survey of data augmentation
       for time series classification with neural networks", PLOS ONE, 2021.

    Examples
    --------
    >>> from collections import Counter
    >>> from skadvaug import TimeSeriesAugmentationSampler
    >>> from skadvaug.datasets import make_imbalanced_sequences
    >>> X, y = make_imbalanced_sequences(
    ...     n_samples=100, weights=[0.9, 0.1], random_state=0)
    >>> X.shape
    (100, 1, 64)
    >>> sampler = TimeSeriesAugmentationSampler(method="time_warp", random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 90), (1, 90)]
    """

    _parameter_constraints: dict = {
        **BaseAugmentationSampler._parameter_constraints,
        "method": [StrOptions(set(augment.AUGMENTATIONS))],
        "sigma": [Interval(Real, 0, None, closed="left"), None],
        "n_knots": [Interval(Integral, 1, None, closed="left")],
        "window_ratio": [Interval(Real, 0, 1, closed="neither")],
        "warp_scales": ["array-like"],
        "reduce_ratio": [Interval(Real, 0, 1, closed="neither")],
        "max_segments": [Interval(Integral, 2, None, closed="left")],
        "segments": [StrOptions({"equal", "random"})],
    }

    def __init__(
        self,
        method="jitter",
        *,
        sampling_strategy="auto",
        sigma=None,
        n_knots=4,
        window_ratio=0.1,
        warp_scales=(0.5, 2.0),
        reduce_ratio=0.9,
        max_segments=5,
        segments="equal",
        rare_threshold=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            rare_threshold=rare_threshold,
            random_state=random_state,
        )
        self.method = method
        self.sigma = sigma
        self.n_knots = n_knots
        self.window_ratio = window_ratio
        self.warp_scales = warp_scales
        self.reduce_ratio = reduce_ratio
        self.max_segments = max_segments
        self.segments = segments

    def _fit_augmentation(self, X, y, *, groups, random_state):
        augment.check_method(self.method, X.ndim)

    def _augment(self, X_seeds, y_seeds, *, group, random_state):
        kwargs = {
            keyword: getattr(self, name)
            for name, keyword in augment.AUGMENTATIONS[self.method].parameters.items()
            if getattr(self, name) is not None
        }
        return augment.apply(self.method, X_seeds, random_state=random_state, **kwargs)
