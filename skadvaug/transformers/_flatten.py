"""Reshape sequence and image data for models that expect tables."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)


class Flatten(TransformerMixin, BaseEstimator):
    """Flatten ``(n_samples, *shape)`` data to ``(n_samples, prod(shape))``.

    Sequences ``(n_samples, n_channels, n_timepoints)`` and images
    ``(n_samples, n_channels, height, width)`` become tables, so any
    scikit-learn model can follow a skadvaug sampler in a pipeline;
    :meth:`inverse_transform` restores the shape. Tables pass through unchanged.
    Values are only reshaped (C order: the last axis varies fastest), never
    altered, so missing values pass through too.

    Attributes
    ----------
    input_shape_ : tuple of int
        Shape of one sample seen in :meth:`fit`.

    n_features_in_ : int
        ``X.shape[1]``: features, or channels for sequences and images.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` is a DataFrame with string column names.

    See Also
    --------
    skadvaug.TimeSeriesAugmentationSampler : A sampler for sequences it
        usually follows.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.transformers import Flatten
    >>> X = np.arange(12.0).reshape(2, 2, 3)
    >>> flat = Flatten().fit_transform(X)
    >>> flat.shape
    (2, 6)
    >>> bool(np.array_equal(Flatten().fit(X).inverse_transform(flat), X))
    True

    In a pipeline after a sampler:

    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadvaug import TimeSeriesAugmentationSampler
    >>> from skadvaug.datasets import make_imbalanced_sequences
    >>> X, y = make_imbalanced_sequences(n_samples=60, random_state=0)
    >>> model = make_pipeline(
    ...     TimeSeriesAugmentationSampler(method="window_warp", random_state=0),
    ...     Flatten(), LogisticRegression())
    >>> model.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    def fit(self, X, y=None):
        """Record the shape of one sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Data of any dimension >= 2.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X = validate_data(self, X, allow_nd=True, ensure_all_finite=False)
        self.input_shape_ = tuple(X.shape[1:])
        return self

    def transform(self, X):
        """Flatten every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Data with the shape seen in :meth:`fit`.

        Returns
        -------
        X_flat : ndarray of shape (n_samples, n_values)
            Flattened data, ``n_values = prod(input_shape_)``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, allow_nd=True, ensure_all_finite=False, reset=False)
        if tuple(X.shape[1:]) != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {tuple(X.shape[1:])}, but Flatten was "
                f"fitted on samples of shape {self.input_shape_}."
            )
        return X.reshape(X.shape[0], -1)

    def inverse_transform(self, X):
        """Restore the shape seen in :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_values)
            Flattened data, ``n_values = prod(input_shape_)``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, ...)
            Data in the fitted shape.
        """
        check_is_fitted(self)
        X = np.asarray(X)
        n_flat = int(np.prod(self.input_shape_))
        if X.ndim != 2 or X.shape[1] != n_flat:
            raise ValueError(
                f"X must be 2-D with {n_flat} columns to restore samples of shape "
                f"{self.input_shape_}; got shape {X.shape}."
            )
        return X.reshape((X.shape[0], *self.input_shape_))

    def get_feature_names_out(self, input_features=None):
        """Names of the flattened columns.

        Tables keep their feature names; sequences get ``"c{channel}_t{time}"``
        and images ``"c{channel}_h{row}_w{column}"``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names, used for tables only.

        Returns
        -------
        feature_names_out : ndarray of str
            One name per output column.
        """
        check_is_fitted(self)
        if len(self.input_shape_) == 1:
            return _check_feature_names_in(self, input_features)
        letters = ("c", "t") if len(self.input_shape_) == 2 else ("c", "h", "w")
        names = [
            "_".join(f"{letter}{i}" for letter, i in zip(letters, index, strict=True))
            for index in np.ndindex(*self.input_shape_)
        ]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
