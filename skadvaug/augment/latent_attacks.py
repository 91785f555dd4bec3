"""Latent attacks of Yüksel et al. (2021), §4: perturbations inside an epsilon-ball.

Pure torch functions on latent batches ``z`` of shape ``(n, ...)``; the ball is
taken per sample over all of its latent values. They serve the offline sampler
(:class:`skadvaug.FlowLatentSampler`) and the joint classifier
(:class:`skadvaug.nets.FlowLatentClassifier`) alike; applied to inputs with an
identity decoder they are the image-space PGD baseline of the paper's Table 5.

References
----------
.. [1] O. K. Yüksel, S. U. Stich, M. Jaggi and T. Chavdarova, "Semantic
   perturbations with normalizing flows for improved generalization", ICCV 2021.
.. [2] A. Madry et al., "Towards deep learning models resistant to adversarial
   attacks", ICLR 2018 (PGD).
"""

import numpy as np
import torch

from .attacks import ball_projection, check_ball, pgd, random_ball_start, steepest_direction

__all__ = [
    "check_clamp",
    "data_range",
    "finite_or_seed",
    "flow_latent_augment",
    "local_budget",
    "local_budget_factor",
    "nearest_enemy_distance",
    "pgd_latent_attack",
    "project",
    "random_latent_attack",
    "resolve_clamp",
]


def check_clamp(clamp, *, allow_auto=False):
    """``clamp`` as ``None``, ``"auto"`` (where allowed) or a ``(low, high)`` pair of floats."""
    if clamp is None or (allow_auto and isinstance(clamp, str) and clamp == "auto"):
        return clamp
    expected = "None, 'auto' or a (low, high) pair" if allow_auto else "None or a (low, high) pair"
    try:
        low, high = (float(bound) for bound in clamp)
    except (TypeError, ValueError):
        raise TypeError(f"clamp must be {expected} of numbers; got {clamp!r}.") from None
    if not low < high:
        raise ValueError(f"clamp must be a (low, high) pair with low < high; got {clamp!r}.")
    return low, high


def data_range(X):
    """Per-channel ``(low, high)`` of ``X``, shaped to broadcast against one sample.

    A column of a table is a channel; a sequence's or an image's channel spans all
    its time steps or pixels, so images scaled to [0, 1] get the authors' ``(0, 1)``.
    Works on numpy arrays and torch tensors alike.
    """
    axes = (0, *range(2, X.ndim))
    keep = (-1, *([1] * (X.ndim - 2)))
    if isinstance(X, torch.Tensor):
        return X.amin(dim=axes).reshape(keep), X.amax(dim=axes).reshape(keep)
    return X.min(axis=axes).reshape(keep), X.max(axis=axes).reshape(keep)


def resolve_clamp(clamp, X):
    """A validated ``clamp`` with ``"auto"`` replaced by ``data_range(X)``."""
    clamp = check_clamp(clamp, allow_auto=True)
    return data_range(X) if isinstance(clamp, str) else clamp


def _clamp_bounds(clamp, like):
    """Scalar or per-channel bounds as tensors matching ``like``."""
    if clamp is None:
        return None
    arrays = (np.ndarray, torch.Tensor)
    pair = isinstance(clamp, (tuple, list)) and len(clamp) == 2
    if not (pair and all(isinstance(bound, arrays) for bound in clamp)):
        clamp = check_clamp(clamp)
    return tuple(torch.as_tensor(bound, dtype=like.dtype, device=like.device) for bound in clamp)


def project(delta, epsilon, norm):
    """Project each sample's perturbation onto the ``norm`` ball of radius ``epsilon``.

    ``"linf"`` clips every value to ``[-epsilon, epsilon]``; ``"l2"`` rescales a
    perturbation whose l2 norm exceeds ``epsilon`` onto the sphere.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.latent_attacks import project
    >>> project(torch.tensor([[3.0, 4.0]]), 1.0, "l2")
    tensor([[0.6000, 0.8000]])
    """
    return ball_projection(epsilon, norm)(delta)


def nearest_enemy_distance(z, labels, reference, reference_labels, *, chunk=1024):
    """Distance from each ``z`` to the nearest ``reference`` point of another class
    (``inf`` where there is none), in chunks of ``chunk`` rows of ``z``.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.latent_attacks import nearest_enemy_distance
    >>> nearest_enemy_distance(torch.zeros(1, 2), torch.tensor([0]),
    ...                        torch.tensor([[1.0, 0.0], [3.0, 4.0]]), torch.tensor([0, 1]))
    tensor([5.])
    """
    reference = reference.flatten(1).to(z.dtype)
    nearest = []
    for start in range(0, len(z), chunk):
        part = slice(start, start + chunk)
        distances = torch.cdist(z[part].flatten(1), reference)
        same_class = labels[part].reshape(-1, 1) == reference_labels.reshape(1, -1)
        nearest.append(distances.masked_fill(same_class, float("inf")).min(dim=1).values)
    return torch.cat(nearest) if nearest else z.new_empty(0)


def local_budget(z, delta, labels, reference, reference_labels, typical_distance):
    """``delta`` rescaled, per seed, by its distance to the nearest reference point of
    another class relative to that distance's median over its class.

    A perturbation budget set by each seed's own neighbourhood instead of one global
    scale (issue 23): the perturbations keep their size on average, but a seed close
    to the other class moves less, so that a sample made from it stays on its side,
    and a seed deep in its class moves further. Only the length changes, not the
    direction (the random draw's or the learned one's); the rescaling is
    differentiable, so a learned perturbation is trained under the same budget.

    Parameters
    ----------
    z : torch.Tensor of shape (n_samples, ...)
        The seeds' latent vectors.
    delta : torch.Tensor of the shape of ``z``
        Their perturbations.
    labels : torch.Tensor of shape (n_samples,)
        The seeds' classes (integers indexing ``typical_distance``).
    reference, reference_labels : torch.Tensor
        Latent vectors of the training data (``(n_reference, ...)``) and their classes.
    typical_distance : torch.Tensor of shape (n_classes,)
        Each class's median nearest-other-class distance; a class without one (or
        a seed without another class in ``reference``) keeps its perturbations.

    Returns
    -------
    delta : torch.Tensor of the shape of ``z``

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.latent_attacks import local_budget
    >>> reference = torch.tensor([[0.0, 0.0], [4.0, 0.0]])
    >>> local_budget(torch.tensor([[3.0, 0.0]]), torch.tensor([[0.0, 1.0]]), torch.tensor([0]),
    ...              reference, torch.tensor([0, 1]), typical_distance=torch.tensor([2.0, 2.0]))
    tensor([[0.0000, 0.5000]])
    """
    factor = local_budget_factor(z, labels, reference, reference_labels, typical_distance)
    return delta * _rows(factor, delta)


def local_budget_factor(z, labels, reference, reference_labels, typical_distance):
    """Each seed's budget factor of :func:`local_budget`: its distance to the nearest
    ``reference`` point of another class over its class's ``typical_distance``
    (1 where either is missing), shape ``(n_samples,)``.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.latent_attacks import local_budget_factor
    >>> local_budget_factor(torch.tensor([[3.0, 0.0]]), torch.tensor([0]),
    ...                     torch.tensor([[0.0, 0.0], [4.0, 0.0]]), torch.tensor([0, 1]),
    ...                     typical_distance=torch.tensor([2.0, 2.0]))
    tensor([0.5000])
    """
    nearest = nearest_enemy_distance(z, labels, reference, reference_labels)
    factor = nearest / typical_distance.to(nearest)[labels.long()]
    return torch.where(torch.isfinite(factor) & (factor > 0), factor, torch.ones_like(factor))


def _rows(factor, like):
    """Per-sample ``factor`` shaped to broadcast against ``like``."""
    return factor.reshape(-1, *([1] * (like.ndim - 1)))


def random_latent_attack(z, epsilon, norm=None, *, generator=None):
    """Randomized-LA: ``epsilon * N(0, I)``, optionally projected onto the ``norm`` ball.

    Parameters
    ----------
    z : torch.Tensor of shape (n, ...)
        Latent codes (only their shape, dtype and device are used: the
        perturbation does not depend on ``z``).
    epsilon : float
        Noise scale and ball radius.
    norm : {"l2", "linf"} or None, default=None
        Projection (ℓ2 scaling or ℓ∞ clipping); ``None`` keeps the raw noise.
    generator : torch.Generator, default=None
        Source of the noise.

    Returns
    -------
    delta : torch.Tensor of the shape of ``z``
        The perturbation; the augmented code is ``z + delta``.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.latent_attacks import random_latent_attack
    >>> delta = random_latent_attack(torch.zeros(4, 10), 0.25, "linf")
    >>> bool(delta.abs().max() <= 0.25)
    True
    """
    if norm is not None:
        check_ball(epsilon, norm)
    noise = torch.randn(z.shape, generator=generator, dtype=z.dtype, device=z.device)
    delta = epsilon * noise
    return delta if norm is None else project(delta, epsilon, norm)


def pgd_latent_attack(
    z, loss_fn, epsilon, step_size, n_steps, norm="l2", *, random_start=True, generator=None
):
    """Adversarial-LA: projected gradient ascent of ``loss_fn`` inside the ``norm`` ball.

    Starting from a uniform random point in the ball (``random_start``), each of
    the ``n_steps`` steps moves by ``step_size`` along the loss gradient
    normalised per sample (ℓ2) or its sign (ℓ∞) and projects back onto the ball
    of radius ``epsilon`` (paper 003, §4.2): :func:`skadvaug.augment.attacks.pgd`
    with the ball's projection and direction.

    Parameters
    ----------
    z : torch.Tensor of shape (n, ...)
        Latent codes.
    loss_fn : callable
        ``loss_fn(z + delta) -> (n,)`` per-sample losses to maximise (e.g. the
        classifier's loss on ``F^-1(z + delta)``); gradients flow through it
        to ``delta`` only.
    epsilon : float
        Radius of the ball.
    step_size : float
        Step length ``alpha``.
    n_steps : int
        Number of steps ``k``.
    norm : {"l2", "linf"}, default="l2"
        Geometry of the ball and of the steps.
    random_start : bool, default=True
        Start from a random point of the ball instead of ``z``.
    generator : torch.Generator, default=None
        Source of the random start.

    Returns
    -------
    delta : torch.Tensor of the shape of ``z``
        The perturbation (detached); the adversarial code is ``z + delta``.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.latent_attacks import pgd_latent_attack
    >>> z = torch.zeros(3, 2)
    >>> delta = pgd_latent_attack(z, lambda v: v[:, 0], 1.0, 0.5, 5, "l2", random_start=False)
    >>> torch.allclose(delta, torch.tensor([[1.0, 0.0]] * 3), atol=1e-3)
    True
    """
    start = random_ball_start(z, epsilon, norm, generator=generator) if random_start else None
    return pgd(
        z,
        loss_fn,
        project=ball_projection(epsilon, norm),
        direction=steepest_direction(norm),
        step_size=step_size,
        n_steps=n_steps,
        start=start,
    )


def flow_latent_augment(
    flow,
    x,
    *,
    attack,
    epsilon,
    norm="l2",
    step_size=0.5,
    n_steps=3,
    loss_fn=None,
    labels=None,
    generator=None,
    clamp=None,
    budget=None,
):
    """``F^-1(F(x) + delta)`` with ``delta`` from a latent attack (paper 003, §4).

    Parameters
    ----------
    flow : torch.nn.Module
        A flow with ``flow(x, labels) -> (z, log_det)`` and ``flow.inverse(z, labels)``
        (see :mod:`skadvaug.modules`).
    x : torch.Tensor of shape (n, ...)
        Samples, in the units the flow was trained on.
    attack : {"random", "adversarial"}
        Randomized-LA or PGD Adversarial-LA.
    epsilon, norm, step_size, n_steps :
        As in :func:`random_latent_attack` and :func:`pgd_latent_attack`.
    loss_fn : callable, default=None
        ``loss_fn(x_tilde) -> losses`` of the model on decoded samples, maximised by
        the adversarial attack (per-sample losses or their mean).
    labels : torch.Tensor, default=None
        Class labels of a class-conditional flow.
    generator : torch.Generator, default=None
        Source of the noise / random start.
    clamp : (low, high) or None, default=None
        Bounds of the input space the decoded samples are clipped to, as the
        authors' code does for images (``(0, 1)``): an attack may find codes the
        inverse maps far outside the data (the ball bounds ``z``, not ``x``).
        Numbers, or per-channel arrays broadcasting against one sample (see
        :func:`data_range`). Applied after the attack, which ascends the loss of
        the unclipped decoding.
    budget : callable, default=None
        ``budget(z) -> (n,)`` per-seed factors of the ball (e.g.
        :func:`local_budget_factor`, issue 23): seed ``i``'s perturbation lies in
        the ball of radius ``factor_i * epsilon``, reached by PGD steps of
        ``factor_i * step_size`` (the attack runs in the unit ball's coordinates,
        ``delta = factor_i * u``, so the geometry of the steps is the same for
        every seed). ``None``: one ball for all (the paper).

    Returns
    -------
    x_new : torch.Tensor of the shape of ``x``
        Augmented samples (no gradient); a sample whose perturbed code decodes to
        a non-finite value is returned unperturbed.
    """
    if attack not in ("random", "adversarial"):
        raise ValueError(f"attack must be 'random' or 'adversarial'; got {attack!r}.")
    with torch.no_grad():
        z, _ = flow(x, labels)
        scale = 1.0 if budget is None else _rows(budget(z).to(z), z)
    if attack == "random":
        delta = scale * random_latent_attack(z, epsilon, norm, generator=generator)
    else:
        if loss_fn is None:
            raise ValueError("The adversarial attack needs loss_fn, the model's loss.")
        delta = scale * pgd_latent_attack(
            z,
            lambda code: loss_fn(flow.inverse(z + scale * (code - z), labels)),
            epsilon,
            step_size,
            n_steps,
            norm,
            generator=generator,
        )
    with torch.no_grad():
        return finite_or_seed(flow.inverse(z + delta, labels), x, clamp)


def finite_or_seed(x_new, x, clamp=None):
    """Decoded samples ``x_new``, each non-finite row replaced by its seed in ``x``,
    clipped to ``clamp`` (as in :func:`flow_latent_augment`).

    A code pushed where a flow's inverse overflows decodes to inf/nan, which is
    no plausible sample: such rows fall back to their unperturbed input.
    """
    bounds = _clamp_bounds(clamp, x)
    finite = torch.isfinite(x_new).flatten(1).all(dim=1)
    x_new = torch.where(finite.view(-1, *([1] * (x.ndim - 1))), x_new, x)
    return x_new if bounds is None else torch.clamp(x_new, *bounds)
