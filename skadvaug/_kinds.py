"""The three data kinds, read off ``X.ndim`` (one place for the mapping)."""

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
