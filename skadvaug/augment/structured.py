"""Structured adversarial perturbations (Luo, Mobahi & Bengio, 2020): smooth warps, recolouring.

The raw adversarial input gradient ``g = dL/dx`` is projected onto a space of
"natural" perturbations, in the metric of a quadratic structure penalty, which
has a closed form:

- **geometric** (paper §4, eqs. 4-15): by brightness constancy a displacement
  field moves the loss at the rate ``-(d_x . flow_x + d_y . flow_y)`` with
  ``d_x = sum_c g_c * dZ_c/dx``; penalising the flow's size (``alpha``) and its
  Dirichlet energy (``beta``, ``gamma = beta / alpha``) gives
  ``flow = -(1/alpha) (I + gamma P)^-1 d`` where ``P`` is the grid graph
  Laplacian. The flow raises the loss to first order by
  ``(1/alpha) d^T (I + gamma P)^-1 d >= 0``; the image is then warped by it.
  ``(I + gamma P)^-1`` is applied exactly through the DCT-II, which
  diagonalises the Neumann path Laplacian (eigenvalues ``2 - 2 cos(pi k / n)``):
  O(N (H + W)) time and no N x N matrix, where the paper's dense inverse (its
  stated limitation, §7) would take 10 GB at 224 x 224.
- **photometric** (paper §5, eqs. 16-33): an additive change ``dz`` that keeps
  the image's edges, i.e. in the span of the eigenvectors of the edge operator
  ``M = M~^T M~`` with the smallest eigenvalues, where
  ``M~ = [M_1 ... M_C]``, ``M_c = diag(dZ_c/dx / e) D_x + diag(dZ_c/dy / e) D_y``
  and ``e`` the per-pixel gradient magnitude (eq. 26). The paper's ``M`` is
  singular (rank <= N of C*N: constant shifts, flat regions, colour rotations),
  so its ``M^-1`` does not exist; the default operator regularises it as
  ``M + eta (I_C (x) P) + mu I``, which picks the smoothest fields inside the
  edge-preserving null space (spec paper004, R3).

On sequences ``(n, C, T)`` the same holds with one time-displacement field
shared by the channels (an adversarial smooth time-warp) and ``D_t`` alone.
Pure torch functions (torch in, torch out) on batches ``(n, C, T)`` or
``(n, C, H, W)``; flows have shape ``(n, 1, T)`` or ``(n, 2, H, W)`` with
channel 0 the displacement along x (width) and channel 1 along y (height).
The edge operator and the recolouring basis are computed per sample with
scipy (sparse matrices; dense ``eigh`` up to 1,024 unknowns, shift-invert
``eigsh`` above), torch having no sparse symmetric eigensolver.

References
----------
.. [1] C. Luo, H. Mobahi and S. Bengio, "Data augmentation via structured
   adversarial perturbations", arXiv:2011.03010, 2020.
"""

import functools
import math
import warnings

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg
import torch
import torch.nn.functional as F

from .attacks import pgd

__all__ = [
    "additive_attack",
    "adversarial_flow",
    "default_gamma",
    "default_max_displacement",
    "dense_smoothing_operator",
    "edge_operator",
    "fgm_l2",
    "grid_laplacian_eigs",
    "input_gradient",
    "random_smooth_flow",
    "recolour",
    "recolour_basis",
    "recolour_direction",
    "smooth",
    "spatial_gradient",
    "warp",
]

FLOW_SCALES = ("max", "rms", "fixed")
PHOTOMETRIC_OPERATORS = ("regularized", "pinv", "ridge")
WEIGHTINGS = ("projection", "inverse")
_DENSE_EIGH_LIMIT = 1024  # unknowns (channels x grid points) solved with a dense eigh


def _grid_ndim(x, name="x"):
    if not torch.is_tensor(x) or x.ndim not in (3, 4):
        raise ValueError(
            f"{name} must be a torch tensor of sequences (n, channels, timepoints) or images "
            f"(n, channels, height, width); got {type(x).__name__} with shape "
            f"{tuple(getattr(x, 'shape', ()))}."
        )
    return x.ndim - 2


def per_sample(values, like):
    """A scalar or one value per sample, shaped to broadcast against the batch ``like``."""
    values = torch.as_tensor(values, dtype=like.dtype, device=like.device)
    return values.reshape(-1, *([1] * (like.ndim - 1)))


def default_gamma(x):
    """Flow smoothness ``gamma`` for data shaped like ``x``: 5 for images, ``T / 3`` for
    sequences (spec paper004 §1.4; the cut-off frequency is about ``n / (pi sqrt(gamma))``)."""
    return 5.0 if _grid_ndim(x) == 2 else x.shape[-1] / 3.0


def default_max_displacement(x):
    """Largest displacement, in grid steps: ``0.1 * min(H, W)`` for images, ``0.03 * T``
    for sequences (spec paper004 §1.2.1)."""
    return 0.1 * min(x.shape[-2:]) if _grid_ndim(x) == 2 else 0.03 * x.shape[-1]


# ------------------------------------------------------------- smoothing (I + gamma P)^-1
@functools.lru_cache(maxsize=64)
def _dct(n, dtype, device):
    """The orthonormal DCT-II matrix of size ``n`` and the path Laplacian's eigenvalues."""
    k = torch.arange(n, dtype=torch.float64)
    basis = torch.cos(math.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * math.sqrt(2 / n)
    basis[0] /= math.sqrt(2)
    eigenvalues = 2 - 2 * torch.cos(math.pi * k / n)
    return basis.to(dtype=dtype, device=device), eigenvalues.to(dtype=dtype, device=device)


def grid_laplacian_eigs(shape, *, dtype=torch.float64, device="cpu"):
    """Eigen-decomposition of the Neumann grid Laplacian of a 1-D ``(T,)`` or 2-D ``(H, W)`` grid.

    Returns one ``(basis, eigenvalues)`` pair per axis: the orthonormal DCT-II
    matrix (rows are the eigenvectors of the path Laplacian ``D^T D``) and its
    eigenvalues ``2 - 2 cos(pi k / n)``. The 2-D Laplacian's eigenvalues are the
    sums ``lambda_h[i] + lambda_w[j]``.
    """
    if len(shape) not in (1, 2) or any(int(n) < 1 for n in shape):
        raise ValueError(f"shape must be (T,) or (H, W) of positive sizes; got {shape!r}.")
    return [_dct(int(n), dtype, str(device)) for n in shape]


def smooth(field, gamma):
    """``(I + gamma P)^-1`` applied to ``field`` of shape ``(n, k, T)`` or ``(n, k, H, W)``.

    ``P`` is the 4-neighbour (2-D) or path (1-D) Laplacian of the grid with
    Neumann boundaries, ``P = D_x^T D_x + D_y^T D_y`` with forward differences;
    it is applied exactly in the DCT domain, where it is diagonal. Frequency
    ``k`` is attenuated by ``1 / (1 + gamma lambda_k)``, and a constant field is
    left unchanged (``P 1 = 0``).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.structured import smooth
    >>> torch.allclose(smooth(torch.ones(1, 2, 4, 5), gamma=10.0), torch.ones(1, 2, 4, 5))
    True
    """
    grid_ndim = _grid_ndim(field, "field")
    if not gamma >= 0:
        raise ValueError(f"gamma must be >= 0; got {gamma!r}.")
    if gamma == 0:
        return field.clone()
    axes = grid_laplacian_eigs(field.shape[2:], dtype=field.dtype, device=field.device)
    if grid_ndim == 1:
        ((basis, eigenvalues),) = axes
        return ((field @ basis.T) / (1 + gamma * eigenvalues)) @ basis
    (basis_h, eigenvalues_h), (basis_w, eigenvalues_w) = axes
    spectrum = basis_h @ field @ basis_w.T
    spectrum = spectrum / (1 + gamma * (eigenvalues_h[:, None] + eigenvalues_w[None, :]))
    return basis_h.T @ spectrum @ basis_w


def _path_laplacian(n):
    forward = sp.diags([-np.ones(n - 1), np.ones(n - 1)], [0, 1], shape=(n - 1, n))
    return (forward.T @ forward).tocsr()


def _grid_laplacian(shape):
    """The sparse Neumann grid Laplacian ``P`` of a row-major flattened grid."""
    if len(shape) == 1:
        return _path_laplacian(shape[0])
    height, width = shape
    return (
        sp.kron(sp.identity(height), _path_laplacian(width))
        + sp.kron(_path_laplacian(height), sp.identity(width))
    ).tocsr()


def dense_smoothing_operator(shape, gamma):
    """The dense ``(I + gamma P)^-1`` of a ``(T,)`` or ``(H, W)`` grid (float64).

    For tests and small grids only: it is ``N x N``; :func:`smooth` applies the
    same operator without building it.
    """
    laplacian = _grid_laplacian(tuple(int(n) for n in shape)).toarray()
    return torch.linalg.inv(
        torch.eye(len(laplacian), dtype=torch.float64) + gamma * torch.as_tensor(laplacian)
    )


# ------------------------------------------------------------------------- flows
def _central_difference(x, dim):
    if x.shape[dim] < 2:
        return torch.zeros_like(x)
    return torch.gradient(x, dim=dim)[0]


def spatial_gradient(x):
    """Central differences of ``x`` (one-sided at the borders), per channel.

    Returns ``(n, C, 1, T)`` for sequences and ``(n, C, 2, H, W)`` for images,
    where index 0 is ``d/dx`` (along the width) and 1 is ``d/dy`` (the height).
    """
    if _grid_ndim(x) == 1:
        return _central_difference(x, -1).unsqueeze(2)
    return torch.stack([_central_difference(x, -1), _central_difference(x, -2)], dim=2)


def _flow_lengths(flow):
    return flow.norm(dim=1).flatten(1)  # (n, grid points): displacement per position


def _scale_flow(flow, flow_scale, max_displacement):
    if flow_scale not in FLOW_SCALES:
        raise ValueError(f"flow_scale must be one of {FLOW_SCALES}; got {flow_scale!r}.")
    if flow_scale == "fixed" and max_displacement is None:
        return flow
    bound = per_sample(max_displacement, flow)
    if torch.any(bound < 0):
        raise ValueError(f"max_displacement must be >= 0; got {max_displacement!r}.")
    lengths = _flow_lengths(flow)
    size = lengths.pow(2).mean(1).sqrt() if flow_scale == "rms" else lengths.amax(1)
    size = per_sample(size, flow)
    factor = bound / size.clamp_min(torch.finfo(flow.dtype).tiny)
    if flow_scale == "fixed":  # the paper's literal scale, capped
        factor = factor.clamp(max=1.0)
    return torch.where(size > 0, flow * factor, torch.zeros_like(flow))


def adversarial_flow(x, grad, *, alpha=1.0, gamma=5.0, flow_scale="max", max_displacement=None):
    """The displacement field that raises the loss most for its smoothness (paper eq. 14-15).

    ``flow = -(1/alpha) (I + gamma P)^-1 d`` with ``d = sum_c grad_c * dx_c/dpos``
    (one component per grid axis), then scaled.

    Parameters
    ----------
    x : torch.Tensor of shape (n, C, T) or (n, C, H, W)
        The samples (the flow is shared by their channels).
    grad : torch.Tensor of the shape of ``x``
        The loss gradient at ``x`` (e.g. :func:`input_gradient`).
    alpha : float, default=1.0
        Ridge weight: the paper's step is ``1 / alpha`` (used by ``"fixed"``).
    gamma : float, default=5.0
        Smoothness ``beta / alpha``; 0 gives the raw ``-d / alpha``.
    flow_scale : {"max", "rms", "fixed"}, default="max"
        ``"max"``: each sample's flow rescaled so its largest displacement is
        ``max_displacement`` (the paper's literal flow vanishes as the training
        loss does); ``"rms"``: its root-mean-square displacement;
        ``"fixed"``: the paper's literal ``1 / alpha`` scale, capped at
        ``max_displacement`` when given.
    max_displacement : float, tensor of shape (n,) or None, default=None
        In grid steps (pixels, time steps); ``None``:
        :func:`default_max_displacement` (no cap for ``"fixed"``).

    Returns
    -------
    flow : torch.Tensor of shape (n, 1, T) or (n, 2, H, W)

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.structured import adversarial_flow
    >>> x = torch.linspace(0, 1, 20).repeat(3, 1, 1)
    >>> flow = adversarial_flow(x, torch.ones_like(x), max_displacement=0.5)
    >>> flow.shape, round(float(flow.abs().max()), 3)
    (torch.Size([3, 1, 20]), 0.5)
    """
    _grid_ndim(x)
    if grad.shape != x.shape:
        raise ValueError(
            f"grad must have the shape of x {tuple(x.shape)}; got {tuple(grad.shape)}."
        )
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0; got {alpha!r}.")
    d = (grad.unsqueeze(2) * spatial_gradient(x)).sum(1)
    flow = -smooth(d, gamma) / alpha
    if max_displacement is None and flow_scale != "fixed":
        max_displacement = default_max_displacement(x)
    return _scale_flow(flow, flow_scale, max_displacement)


def random_smooth_flow(x, *, gamma=5.0, flow_scale="max", max_displacement=None, generator=None):
    """A random flow of the same smoothness and budget: ``(I + gamma P)^-1 r``, ``r ~ N(0, I)``.

    The ablation baseline of :func:`adversarial_flow` (not in the paper): same
    structure, no gradient. ``"fixed"`` keeps the smoothed noise as drawn.
    """
    grid_ndim = _grid_ndim(x)
    shape = (len(x), grid_ndim, *x.shape[2:])
    noise = torch.randn(shape, generator=generator, dtype=x.dtype, device=x.device)
    if max_displacement is None and flow_scale != "fixed":
        max_displacement = default_max_displacement(x)
    return _scale_flow(smooth(noise, gamma), flow_scale, max_displacement)


def warp(x, flow, *, mode="bilinear", padding_mode="border"):
    """Backward warp ``out(p) = x(p - flow(p))``: content moves along the flow.

    Bilinear (linear for sequences) interpolation with border padding via
    :func:`torch.nn.functional.grid_sample`; the only warp whose first-order
    change is the brightness-constancy ``-(dx/dpos . flow)`` the flow was
    derived from. A zero flow is the identity, a constant integer flow a shift
    that repeats the border.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.structured import warp
    >>> warp(torch.arange(5.0).reshape(1, 1, 5), torch.ones(1, 1, 5)).tolist()
    [[[0.0, 0.0, 1.0, 2.0, 3.0]]]
    """
    grid_ndim = _grid_ndim(x)
    expected = (len(x), grid_ndim, *x.shape[2:])
    if tuple(flow.shape) != expected:
        raise ValueError(f"flow must have shape {expected}; got {tuple(flow.shape)}.")
    flow = flow.to(x.dtype)

    def normalised(positions, size):
        return 2 * positions / max(size - 1, 1) - 1

    if grid_ndim == 1:
        length = x.shape[-1]
        positions = torch.arange(length, dtype=x.dtype, device=x.device) - flow[:, 0]
        grid_x = normalised(positions, length)
        grid = torch.stack([grid_x, torch.zeros_like(grid_x)], dim=-1)[:, None]
        return F.grid_sample(
            x[:, :, None], grid, mode=mode, padding_mode=padding_mode, align_corners=True
        )[:, :, 0]
    height, width = x.shape[-2:]
    rows, columns = torch.meshgrid(
        torch.arange(height, dtype=x.dtype, device=x.device),
        torch.arange(width, dtype=x.dtype, device=x.device),
        indexing="ij",
    )
    grid = torch.stack(
        [normalised(columns - flow[:, 0], width), normalised(rows - flow[:, 1], height)], dim=-1
    )
    return F.grid_sample(x, grid, mode=mode, padding_mode=padding_mode, align_corners=True)


# ------------------------------------------------------------------- recolouring
def _central_difference_matrix(n):
    """The sparse form of :func:`_central_difference` on a path of ``n`` points."""
    if n < 2:
        return sp.csr_matrix((n, n))
    matrix = sp.diags([-0.5 * np.ones(n - 1), 0.5 * np.ones(n - 1)], [-1, 1], format="lil")
    matrix[0, 0], matrix[0, 1] = -1.0, 1.0
    matrix[n - 1, n - 2], matrix[n - 1, n - 1] = -1.0, 1.0
    return matrix.tocsr()


def _difference_operators(shape):
    """Sparse central differences of a row-major grid: ``[D_t]`` or ``[D_x, D_y]``."""
    if len(shape) == 1:
        return [_central_difference_matrix(shape[0])]
    height, width = shape
    return [
        sp.kron(sp.identity(height), _central_difference_matrix(width)).tocsr(),
        sp.kron(_central_difference_matrix(height), sp.identity(width)).tocsr(),
    ]


def _as_numpy(x):
    return x.detach().cpu().double().numpy() if torch.is_tensor(x) else np.asarray(x, float)


def edge_operator(x, *, eps=1e-3):
    """The linearised change of edginess ``M~ = [M_1, ..., M_C]`` of each sample (paper eq. 26).

    ``M_c = diag(dx_c/dx / e) D_x + diag(dx_c/dy / e) D_y`` (``D_t`` alone for
    sequences), with ``e`` the per-position gradient magnitude over channels and
    axes plus ``eps`` (the paper's "small constant"; 1e-3 suits data of unit
    range). ``M~ @ dz.ravel()`` is the relative edge change a perturbation
    ``dz`` (flattened channel by channel) makes.

    Returns
    -------
    list of scipy.sparse.csr_matrix of shape (N, C * N)
        One per sample, ``N`` the number of grid points.
    """
    _grid_ndim(x)
    if not eps > 0:
        raise ValueError(f"eps must be > 0; got {eps!r}.")
    n_samples, n_channels = x.shape[:2]
    gradients = _as_numpy(spatial_gradient(x)).reshape(n_samples, n_channels, -1, x[0, 0].numel())
    magnitude = np.sqrt((gradients**2).sum(axis=(1, 2))) + eps
    operators = _difference_operators(tuple(x.shape[2:]))
    edges = []
    for sample in range(n_samples):
        blocks = [
            sum(
                sp.diags(gradients[sample, channel, axis] / magnitude[sample]) @ operator
                for axis, operator in enumerate(operators)
            )
            for channel in range(n_channels)
        ]
        edges.append(sp.hstack(blocks).tocsr())
    return edges


def _smallest_eigenpairs(matrix, n_components, operator):
    size = matrix.shape[0]
    if operator == "pinv":  # the smallest *nonzero* eigenvalues of the singular M
        if size > 4 * _DENSE_EIGH_LIMIT:
            raise ValueError(
                f"photometric_operator='pinv' solves a dense eigenproblem; {size} unknowns "
                "per sample is too large, use 'regularized'."
            )
        values, vectors = scipy.linalg.eigh(matrix.toarray())
        keep = values > 1e-10 * max(1.0, abs(values[-1]))
        values, vectors = values[keep], vectors[:, keep]
        if len(values) < n_components:
            values = np.concatenate([values, np.zeros(n_components - len(values))])
            vectors = np.hstack([vectors, np.zeros((size, n_components - vectors.shape[1]))])
        return values[:n_components], vectors[:, :n_components]
    if size <= _DENSE_EIGH_LIMIT:
        return scipy.linalg.eigh(matrix.toarray(), subset_by_index=[0, n_components - 1])
    values, vectors = scipy.sparse.linalg.eigsh(
        matrix.tocsc(), k=n_components, sigma=0, which="LM", v0=np.ones(size)
    )
    order = np.argsort(values)
    return values[order], vectors[:, order]


def recolour_basis(x, n_components=2, *, eta=1e-2, mu=1e-6, eps=1e-3, operator="regularized"):
    """The edge-preserving recolouring subspace of each sample (paper §5, eq. 33).

    The eigenvectors of the edge operator ``M = M~^T M~`` (:func:`edge_operator`)
    with the smallest eigenvalues span the perturbations that change the edges
    least. ``M`` is singular, so ``operator`` says which reading of the paper's
    "leading eigenvectors of M^-1" is taken:

    - ``"regularized"`` (default): of ``M + eta (I_C (x) P) + mu I``, where the
      grid Laplacian term picks the smoothest fields in the edge-preserving
      null space (spec paper004, R3);
    - ``"pinv"``: the smallest *nonzero* eigenvalues of ``M`` (the
      pseudo-inverse's leading ones): changes that do alter edges, slightly;
    - ``"ridge"``: of ``M + mu I``, an arbitrary basis of the null space (solver
      dependent, not reproducible across machines).

    The basis depends on the sample only, not on any model: compute it once per
    sample and reuse it. With the regularised operator the first ``C``
    eigenvectors (eigenvalue ``mu``) are the per-channel constant offsets, so
    on C-channel data ``n_components > C`` is what adds spatially varying,
    edge-preserving changes; below ``C`` the solver picks part of a degenerate
    eigenspace.

    Parameters
    ----------
    x : torch.Tensor of shape (n, C, T) or (n, C, H, W)
        Samples.
    n_components : int, default=2
        Eigenvectors kept (the paper's Figure 1 uses two).
    eta, mu : float, default=1e-2, 1e-6
        Regularisers of ``"regularized"`` (``mu`` also of ``"ridge"``).
    eps : float, default=1e-3
        See :func:`edge_operator`.
    operator : {"regularized", "pinv", "ridge"}, default="regularized"

    Returns
    -------
    basis : torch.Tensor of shape (n, C * N, n_components)
        Orthonormal columns, flattened channel by channel (x's dtype and device).
    eigenvalues : torch.Tensor of shape (n, n_components)
        Their eigenvalues, ascending.
    """
    _grid_ndim(x)
    if operator not in PHOTOMETRIC_OPERATORS:
        raise ValueError(
            f"photometric_operator must be one of {PHOTOMETRIC_OPERATORS}; got {operator!r}."
        )
    size = x[0].numel()
    if not (isinstance(n_components, (int, np.integer)) and 1 <= n_components <= size):
        raise ValueError(f"n_components must be an integer in [1, {size}]; got {n_components!r}.")
    if not (eta >= 0 and mu > 0):
        raise ValueError(f"eta must be >= 0 and mu > 0; got eta={eta!r}, mu={mu!r}.")
    n_channels = x.shape[1]
    laplacian = sp.kron(sp.identity(n_channels), _grid_laplacian(tuple(x.shape[2:])))
    identity = sp.identity(size)
    bases, values = [], []
    for edges in edge_operator(x, eps=eps):
        matrix = (edges.T @ edges).tocsr()
        if operator == "regularized":
            matrix = matrix + eta * laplacian + mu * identity
        elif operator == "ridge":
            matrix = matrix + mu * identity
        eigenvalues, eigenvectors = _smallest_eigenpairs(
            sp.csr_matrix(matrix), n_components, operator
        )
        bases.append(eigenvectors)
        values.append(eigenvalues)
    as_tensor = functools.partial(torch.as_tensor, dtype=x.dtype, device=x.device)
    return as_tensor(np.stack(bases)), as_tensor(np.stack(values))


def recolour_direction(grad, basis, eigenvalues=None, *, weighting="projection"):
    """``V W V^T grad``: the gradient projected onto the recolouring subspace.

    ``weighting="projection"`` (``W = I``) is the orthogonal projection;
    ``"inverse"`` (``W = diag(1 / eigenvalues)``) the literal truncated
    ``M^-1``, which the tiny regulariser eigenvalue of constant shifts dominates,
    so it degenerates to a constant offset (warned).
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}; got {weighting!r}.")
    flat = grad.flatten(1)
    if basis.shape[:2] != flat.shape:
        raise ValueError(
            f"basis must have shape ({flat.shape[0]}, {flat.shape[1]}, k); "
            f"got {tuple(basis.shape)}."
        )
    coefficients = torch.einsum("nck,nc->nk", basis, flat)
    if weighting == "inverse":
        warnings.warn(
            "weighting='inverse' is the paper's literal truncated M^-1; its smallest "
            "eigenvalue (a constant shift) dominates, so the recolouring is nearly a "
            "uniform offset. Prefer 'projection'.",
            UserWarning,
            stacklevel=2,
        )
        if eigenvalues is None:
            raise ValueError("weighting='inverse' needs the basis' eigenvalues.")
        coefficients = coefficients / eigenvalues.clamp_min(torch.finfo(grad.dtype).tiny)
    return torch.einsum("nck,nk->nc", basis, coefficients).view_as(grad)


def unit_per_sample(values):
    """Each sample of ``values`` divided by its ℓ2 norm (zero samples stay zero)."""
    norms = values.flatten(1).norm(dim=1)
    return values / per_sample(norms.clamp_min(torch.finfo(values.dtype).tiny), values)


def clip_to(x, clip):
    """``x`` clipped to ``clip = (low, high)`` (numbers or broadcastable arrays), or as is."""
    if clip is None:
        return x
    low, high = (torch.as_tensor(bound, dtype=x.dtype, device=x.device) for bound in clip)
    return torch.maximum(torch.minimum(x, high), low)


def recolour(x, grad, basis, eigenvalues=None, *, weighting="projection", norm=0.1, clip=None):
    """One edge-preserving recolouring step: ``x + dz``, ``dz`` along :func:`recolour_direction`.

    ``||dz|| = norm * ||x||`` per sample (``norm`` a float or one per sample);
    the result is clipped to ``clip = (low, high)`` when given. ``<grad, dz> >= 0``:
    it raises the loss to first order. On grayscale images and univariate series
    there is no hue to change, so edge preservation leaves smooth brightness
    offsets, mostly over flat regions.
    """
    direction = unit_per_sample(recolour_direction(grad, basis, eigenvalues, weighting=weighting))
    size = per_sample(norm, x) * per_sample(x.flatten(1).norm(dim=1), x)
    return clip_to(x + size * direction, clip)


def fgm_l2(x, grad, norm, *, clip=None):
    """The unstructured baseline: ``x + norm * grad / ||grad||`` per sample (FGM, ℓ2).

    ``norm`` is absolute (a float or one per sample), so it can match the pixel
    change of a structured perturbation of the same sample.
    """
    return clip_to(x + per_sample(norm, x) * unit_per_sample(grad), clip)


def additive_attack(x, loss_fn, direction, budget, *, n_steps=1, clip=None):
    """``x + delta`` by :func:`~skadvaug.augment.attacks.pgd` along a structured direction.

    Each of the ``n_steps`` steps moves ``delta`` by ``budget / n_steps`` along
    the unit ``direction(gradient)`` (e.g. the recolouring projection; the
    identity gives FGM / PGD-ℓ2), then projects it onto the ℓ2 ball of radius
    ``budget`` (a float or one per sample) and into ``clip``.
    """
    radius = per_sample(budget, x)

    def project(delta):
        norms = per_sample(delta.flatten(1).norm(dim=1), x)
        delta = delta * torch.clamp(radius / norms.clamp_min(1e-12), max=1.0)
        return clip_to(x + delta, clip) - x

    def step(gradient):
        return radius / n_steps * unit_per_sample(direction(gradient))

    delta = pgd(x, loss_fn, project=project, direction=step, step_size=1.0, n_steps=n_steps)
    return x + delta


def input_gradient(loss_fn, x):
    """``d/dx sum(loss_fn(x))``, detached; model parameters' ``.grad`` are left untouched.

    ``loss_fn`` should sum over the batch (not average), so a sample's gradient
    does not depend on the batch size.
    """
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        (gradient,) = torch.autograd.grad(loss_fn(x).sum(), x)
    return gradient
