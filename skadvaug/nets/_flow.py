"""Maximum-likelihood training of normalizing flows (paper 003)."""

import math

import numpy as np
import torch
from skorch.utils import to_device

from ..modules import DEFAULT_FLOWS
from ._base import BaseNet


class FlowNet(BaseNet):
    """Trains a normalizing flow by maximum likelihood under a standard normal base.

    The loss is the negative log-likelihood per dimension (nats); ``history``
    also records ``bits_per_dim``, in the units of the original data when the
    caller standardised it (``log_scale_sum``). With ``dequantization`` (the
    width of one quantisation step per channel, in the units the flow sees)
    uniform noise spreads discrete values over their bins during training, so
    the flow models a density rather than spikes (Theis et al. 2016).

    Parameters
    ----------
    module : torch module class or None, default=None
        A flow with ``forward``/``inverse``/``log_prob`` (see
        :mod:`skadvaug.modules`); ``None`` picks
        :class:`~skadvaug.modules.VectorFlow` (zuko), ``CouplingFlow1d`` or
        ``CouplingFlow2d`` by data kind.
    conditional : bool, default=False
        Condition the flow on integer class labels ``y`` (``0 .. n_classes-1``).
    dequantization : array-like or None, default=None
        Bin width per channel (broadcast over the sample shape), or ``None``.
    log_scale_sum : float, default=0.0
        Sum over input dimensions of ``log(scale)`` of a standardisation applied
        before the flow, so that bits/dim refer to the original units.
    max_epochs : int or "auto", default="auto"
        Full epochs, or ``"auto"``: about 1,000 optimiser steps whatever the size
        of the data (at most 300 epochs on tiny data; on large data in batches
        grown up to 4 times and fewer steps), the flow samplers' budget.
        ``max_steps`` caps either.
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters (``max_epochs``,
        ``lr``, ``module__n_steps``, ...).

    References
    ----------
    .. [1] O. K. Yüksel et al., "Semantic perturbations with normalizing flows for
       improved generalization", ICCV 2021.
    .. [2] L. Theis, A. van den Oord and M. Bethge, "A note on the evaluation of
       generative models", ICLR 2016 (dequantisation).

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.nets import FlowNet
    >>> X = np.random.RandomState(0).normal(size=(200, 4)).astype("float32")
    >>> net = FlowNet(max_epochs=3, random_state=0).fit(X)
    >>> Z = net.transform(X)
    >>> bool(np.abs(net.inverse(Z) - X).max() < 1e-4)
    True
    """

    _default_modules = DEFAULT_FLOWS
    _extra_losses = ("bits_per_dim",)
    _phase = "flow"
    _auto_budget = (1000, 300)

    def __init__(
        self,
        module=None,
        criterion=None,
        *,
        conditional=False,
        dequantization=None,
        log_scale_sum=0.0,
        max_epochs="auto",
        **kwargs,
    ):
        super().__init__(module, criterion, max_epochs=max_epochs, **kwargs)
        self.conditional = conditional
        self.dequantization = dequantization
        self.log_scale_sum = log_scale_sum

    def initialize_criterion(self):
        self.criterion_ = None  # the loss is the flow's own negative log-likelihood
        return self

    def _data_module_params(self):
        return {"n_classes": self.n_classes_} if self.conditional else {}

    def fit(self, X, y=None, **fit_params):
        """Train the flow on ``X`` (and class labels ``y`` when conditional)."""
        if self.conditional:
            if y is None:
                raise ValueError("A conditional flow needs class labels y.")
            y = np.asarray(y, dtype=np.int64)
            self.n_classes_ = int(y.max()) + 1
        else:
            y = None
        return super().fit(X, y, **fit_params)

    def _labels(self, y):
        return y if self.conditional else None

    def _negative_log_likelihood(self, X, y, training):
        if training and self.dequantization is not None:
            width = torch.as_tensor(
                np.asarray(self.dequantization, dtype=np.float32), device=X.device
            )
            X = X + torch.rand_like(X) * width.view(-1, *([1] * (X.ndim - 2)))
        return -self.module_.log_prob(X, self._labels(y))

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        X, y = to_device(batch, self.device)
        nll = self._negative_log_likelihood(X, y, training=True).mean()
        dims = math.prod(X.shape[1:])
        loss = nll / dims
        self.optimizer_.zero_grad()
        loss.backward()
        self.optimizer_.step()
        bits = (nll.detach() + self.log_scale_sum) / (dims * math.log(2))
        return {"loss": loss.detach(), "y_pred": X, "bits_per_dim": bits}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        X, y = to_device(batch, self.device)
        with torch.no_grad():
            nll = self._negative_log_likelihood(X, y, training=False).mean()
        return {"loss": nll / math.prod(X.shape[1:]), "y_pred": X}

    def transform(self, X, y=None):
        """Latent codes ``F(x)``, flattened to ``(n, n_dims)`` (numpy)."""
        self.module_.eval()
        codes = self._run_batches(
            lambda x, c: self.module_(x, self._labels(c))[0], X, self._labels(y)
        )
        return codes.reshape(len(codes), -1)

    def inverse(self, Z, y=None):
        """Samples ``F^-1(z)`` in the flow's input shape (numpy)."""
        self.module_.eval()
        Z = np.asarray(Z).reshape(len(Z), *self.input_shape_)
        return self._run_batches(
            lambda z, c: self.module_.inverse(z, self._labels(c)), Z, self._labels(y)
        )

    def log_prob(self, X, y=None):
        """Log-likelihood of each sample under the flow (numpy, units the flow sees)."""
        self.module_.eval()
        return self._run_batches(
            lambda x, c: self.module_.log_prob(x, self._labels(c)), X, self._labels(y)
        )
