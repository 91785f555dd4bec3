"""The three data kinds, read off ``X.ndim`` (one place for the mapping), and sequences."""

DATA_KINDS = {2: "tabular", 3: "sequence", 4: "image"}


def data_kind(ndim):
    """``"tabular"``, ``"sequence"`` or ``"image"`` for an array of ``ndim`` dimensions."""
    try:
        return DATA_KINDS[ndim]
    except KeyError:
        raise ValueError(
            "X must be 2-D (n_samples, n_features), 3-D (n_samples, n_channels, "
            f"n_timepoints) or 4-D (n_samples, n_channels, height, width); got ndim={ndim}."
        ) from None


MIN_SERIES_LENGTH = 2  # a one-step series has no time axis to warp or permute


def check_sequences(X, estimator):
    """``X`` as sequences ``(n, n_channels, n_timepoints)``: a 2-D ``X`` is read as
    univariate series (aeon's convention); other shapes and series shorter than
    ``MIN_SERIES_LENGTH`` are a ``ValueError`` naming the estimator."""
    owner = type(estimator).__name__
    if X.ndim == 2:
        X = X[:, None, :]
    if X.ndim != 3:
        raise ValueError(
            f"{owner} works on series: pass X as (n_samples, n_channels, n_timepoints) or "
            f"univariate series (n_samples, n_timepoints); got ndim={X.ndim}."
        )
    if X.shape[-1] < MIN_SERIES_LENGTH:
        raise ValueError(
            f"X has {X.shape[-1]} feature(s) (time steps); {owner} needs series of at "
            f"least {MIN_SERIES_LENGTH} time steps."
        )
    return X
