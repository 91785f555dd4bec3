"""Projected gradient ascent, with the projection and the step direction passed in.

One attack routine for every adversarial augmenter: the latent attacks of paper
003 use it with an ℓ2 or ℓ∞ ball (:func:`ball_projection`,
:func:`steepest_direction`), and a structured attack only needs its own
projection (a subspace, a smooth-field solver) and direction. Pure torch
functions on batches of shape ``(n, ...)``; norms are taken per sample over all
of its values.

References
----------
.. [1] A. Madry et al., "Towards deep learning models resistant to adversarial
   attacks", ICLR 2018 (PGD with random start).
"""

import torch

__all__ = ["ball_projection", "pgd", "random_ball_start", "steepest_direction"]

NORMS = ("l2", "linf")


def check_ball(epsilon, norm):
    """Raise a ``ValueError`` unless ``norm`` is ``"l2"``/``"linf"`` and ``epsilon >= 0``."""
    if norm not in NORMS:
        raise ValueError(f"norm must be 'l2' or 'linf'; got {norm!r}.")
    if not epsilon >= 0:
        raise ValueError(f"epsilon must be >= 0; got {epsilon!r}.")


def _per_sample_unit(flat_values):
    return flat_values / flat_values.norm(dim=1, keepdim=True).clamp_min(1e-12)


def ball_projection(epsilon, norm):
    """The projection onto the ``norm`` ball of radius ``epsilon``, as a function.

    ``"linf"`` clips every value to ``[-epsilon, epsilon]``; ``"l2"`` rescales a
    perturbation whose norm exceeds ``epsilon`` onto the sphere.
    """
    check_ball(epsilon, norm)
    if norm == "linf":
        return lambda delta: delta.clamp(-epsilon, epsilon)

    def project_l2(delta):
        flat = delta.flatten(1)
        norms = flat.norm(dim=1, keepdim=True)
        factor = torch.clamp(epsilon / norms.clamp_min(1e-12), max=1.0)
        return (flat * factor).view_as(delta)

    return project_l2


def steepest_direction(norm):
    """The unit step of steepest ascent for ``norm``: the gradient's sign (ℓ∞) or
    the gradient normalised per sample (ℓ2)."""
    check_ball(0.0, norm)
    if norm == "linf":
        return torch.sign
    return lambda gradient: _per_sample_unit(gradient.flatten(1)).view_as(gradient)


def random_ball_start(like, epsilon, norm, *, generator=None):
    """A random start inside the ball: uniform in ``[-epsilon, epsilon]``, projected."""
    uniform = torch.rand(like.shape, generator=generator, dtype=like.dtype, device=like.device)
    return ball_projection(epsilon, norm)((2 * uniform - 1) * epsilon)


def pgd(x, loss_fn, *, project, direction, step_size, n_steps, start=None):
    """Maximise ``loss_fn(x + delta)`` over ``delta`` by projected gradient ascent.

    Each of the ``n_steps`` steps moves ``delta`` by ``step_size`` along
    ``direction(gradient)`` and maps it back with ``project``.

    Parameters
    ----------
    x : torch.Tensor of shape (n, ...)
        The points attacked (no gradient flows back to them).
    loss_fn : callable
        ``loss_fn(x + delta)`` -> per-sample losses (or their mean) to maximise.
    project : callable
        ``project(delta)`` -> the nearest admissible perturbation.
    direction : callable
        ``direction(gradient)`` -> the unit step.
    step_size : float
        Step length.
    n_steps : int
        Number of steps.
    start : torch.Tensor, default=None
        First ``delta`` (e.g. :func:`random_ball_start`); ``None`` starts at zero.

    Returns
    -------
    delta : torch.Tensor of the shape of ``x``
        The perturbation (detached).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.attacks import ball_projection, pgd, steepest_direction
    >>> delta = pgd(torch.zeros(2, 3), lambda v: v[:, 1], project=ball_projection(1.0, "l2"),
    ...             direction=steepest_direction("l2"), step_size=0.5, n_steps=4)
    >>> delta[0].tolist()
    [0.0, 1.0, 0.0]
    """
    if not isinstance(n_steps, int) or n_steps < 0:
        raise ValueError(f"n_steps must be an integer >= 0; got {n_steps!r}.")
    if not step_size >= 0:
        raise ValueError(f"step_size must be >= 0; got {step_size!r}.")
    x = x.detach()
    delta = torch.zeros_like(x) if start is None else start
    for _ in range(n_steps):
        delta.requires_grad_(True)
        with torch.enable_grad():
            loss = loss_fn(x + delta).sum()
            (gradient,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            delta = project(delta + step_size * direction(gradient))
    return delta.detach()
