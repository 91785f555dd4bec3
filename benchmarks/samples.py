"""What the oversamplers generate: ``python -m benchmarks samples``.

For a few data sets of each kind, every listed method resamples the whole
(standardised, for tables) data set once at the suites' settings, and the
synthetic samples of the smallest class are shown next to the real ones: a 2-D
PCA of real vs synthetic minority samples for tables, overlays of real and
synthetic series, a grid of real and synthetic images. ``fidelity.csv`` puts
two numbers on each picture:

- ``novelty``: mean distance of a synthetic sample to its nearest real minority
  sample, in units of the real minority samples' median nearest-neighbour
  distance (0: copies; about 1: as far as real samples are from each other);
- ``in_class``: fraction of synthetic samples whose nearest real sample (of any
  class) is of the minority class (1: inside the minority region; low: in the
  other classes' territory, as adversarial or noisy samples may be).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from . import data
from .methods import METHODS, Context
from .report import RESULTS_ROOT, environment_line
from .runner import _resample


@dataclass(frozen=True)
class Showcase:
    dataset: data.Dataset
    methods: tuple


TABULAR_METHODS = (
    "SMOTE",
    "ADASYN",
    "BorderlineSMOTE",
    "ProWSyn",
    "TSAug[jitter]",
    "LatentAdversarial[paper]",
    "LatentAdversarial[paper+random]",
    "FlowLatent[paper]",
    "FlowLatent",
)
SEQUENCE_METHODS = (
    "SMOTE",
    "aeon:SMOTE[dtw]",
    "TSAug[jitter]",
    "TSAug[magnitude_warp]",
    "TSAug[window_warp]",
    "LatentAdversarial[paper]",
    "LatentAdversarial[paper+random]",
    "FlowLatent[paper]",
    "FlowLatent",
)
IMAGE_METHODS = (
    "SMOTE",
    "TSAug[translation]",
    "LatentAdversarial[paper]",
    "LatentAdversarial[paper+random]",
    "FlowLatent[paper]",
    "FlowLatent",
)
SHOWCASES = (
    Showcase(data.keel("yeast3"), TABULAR_METHODS),
    Showcase(data.keel("abalone9-18"), TABULAR_METHODS),
    Showcase(data.ucr_long_tailed("GunPoint", 10), SEQUENCE_METHODS),
    Showcase(data.ucr_long_tailed("ItalyPowerDemand", 10), SEQUENCE_METHODS),
    Showcase(data.digits_long_tailed(10), IMAGE_METHODS),
)


def synthetic_minority(X, X_res, y_res, minority):
    """The generated samples of class ``minority``.

    Every registered sampler returns the original samples first, then the new
    ones; checked here so that a sampler that reorders fails loudly instead of
    mislabelling real samples as synthetic.
    """
    n = len(X)
    if len(X_res) < n or not np.allclose(X_res[:n], X):
        raise ValueError("the resampled data does not start with the original samples")
    new = X_res[n:]
    return new[np.asarray(y_res[n:]) == minority]


def fidelity(X, y, synthetic, minority):
    """``novelty`` and ``in_class`` of ``synthetic`` (see the module docstring)."""
    flat = X.reshape(len(X), -1)
    real = flat[y == minority]
    synthetic = synthetic.reshape(len(synthetic), -1)
    if len(synthetic) == 0:
        return {"n_synthetic": 0, "novelty": np.nan, "in_class": np.nan}
    within = NearestNeighbors(n_neighbors=2).fit(real).kneighbors(real)[0][:, 1]
    scale = np.median(within) or 1.0
    to_real = NearestNeighbors(n_neighbors=1).fit(real).kneighbors(synthetic)[0][:, 0]
    nearest = NearestNeighbors(n_neighbors=1).fit(flat).kneighbors(synthetic)[1][:, 0]
    return {
        "n_synthetic": len(synthetic),
        "novelty": float(np.mean(to_real) / scale),
        "in_class": float(np.mean(y[nearest] == minority)),
    }


def _load(dataset, seed=0):
    X, y = dataset.load()
    kept = dataset.long_tail(np.arange(len(y)), y, seed)
    X, y = X[kept], y[kept]
    if dataset.kind == "tabular":
        X = StandardScaler().fit_transform(X)
    return X, y


def generate(showcase, seed=0):
    """``{method: synthetic minority samples or the error message}`` and the data."""
    X, y = _load(showcase.dataset)
    minority = int(np.argmin(np.bincount(y)))
    context = Context("classification", int(np.bincount(y).min()))
    generated = {}
    for name in showcase.methods:
        method = METHODS[name]
        try:
            X_res, y_res = _resample(method.build(seed, context), method, X, y)
            generated[name] = synthetic_minority(X, X_res, y_res, minority)
        except Exception as exc:  # shown in the picture and the CSV, not dropped
            generated[name] = f"{type(exc).__name__}: {exc}"[:200]
    return X, y, minority, generated


def _grid(n_panels, ncols, size):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nrows = int(np.ceil(n_panels / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows))
    axes = np.atleast_1d(axes).ravel()
    for ax in axes[n_panels:]:
        ax.axis("off")
    return plt, fig, axes


def _failed(ax, name, message):
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=7)
    ax.set_title(name, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_pca(X, y, minority, generated, title, path):
    pca = PCA(n_components=2).fit(X)
    real = pca.transform(X)
    plt, fig, axes = _grid(len(generated), 3, (4.2, 3.6))
    for ax, (name, synthetic) in zip(axes, generated.items(), strict=False):
        if isinstance(synthetic, str):
            _failed(ax, name, synthetic)
            continue
        ax.scatter(*real[y != minority].T, s=4, c="lightgray", label="other classes")
        if len(synthetic):
            ax.scatter(*pca.transform(synthetic).T, s=6, c="tab:red", alpha=0.5, label="synthetic")
        # Real minority samples on top: copies would otherwise hide them.
        ax.scatter(
            *real[y == minority].T,
            s=12,
            c="tab:blue",
            edgecolors="white",
            linewidths=0.4,
            label="real minority",
            zorder=3,
        )
        ax.set_title(name, fontsize=9)
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"{title}: first two principal components of the real data")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_series(X, y, minority, generated, title, path, n_shown=8, seed=0):
    rng = np.random.default_rng(seed)
    real = X[y == minority][:, 0]
    plt, fig, axes = _grid(len(generated), 3, (4.2, 2.8))
    for ax, (name, synthetic) in zip(axes, generated.items(), strict=False):
        if isinstance(synthetic, str):
            _failed(ax, name, synthetic)
            continue
        shown = real[rng.permutation(len(real))[:n_shown]]
        ax.plot(shown.T, color="tab:blue", lw=0.8, alpha=0.6)
        if len(synthetic):
            picked = synthetic[rng.permutation(len(synthetic))[:n_shown], 0]
            ax.plot(picked.T, color="tab:red", lw=0.8, alpha=0.7)
        ax.set_title(name, fontsize=9)
    fig.suptitle(f"{title}: real (blue) and synthetic (red) minority series, channel 0")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_images(X, y, minority, generated, title, path, n_shown=8, seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    rows = {"real": X[y == minority], **generated}
    fig, axes = plt.subplots(len(rows), n_shown, figsize=(n_shown * 0.9, len(rows) * 1.0))
    for row, (name, images) in zip(axes, rows.items(), strict=True):
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
        if isinstance(images, str) or len(images) == 0:
            continue
        for ax, index in zip(row, rng.permutation(len(images))[:n_shown], strict=False):
            ax.imshow(images[index, 0], cmap="gray_r", vmin=0, vmax=1)
    fig.suptitle(f"{title}: real and synthetic minority images")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


PLOTS = {"tabular": plot_pca, "sequence": plot_series, "image": plot_images}


def _file_name(dataset_name):
    return "".join(c if c.isalnum() else "_" for c in dataset_name).strip("_") + ".png"


def run(showcases=SHOWCASES, out_dir=None, command="python -m benchmarks samples", seed=0):
    """Draw every showcase and write ``fidelity.csv`` and ``summary.md``; return the frame."""
    out_dir = Path(out_dir) if out_dir else RESULTS_ROOT / "samples"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, figures = [], []
    for showcase in showcases:
        dataset = showcase.dataset
        X, y, minority, generated = generate(showcase, seed)
        figure = out_dir / _file_name(dataset.name)
        PLOTS[dataset.kind](X, y, minority, generated, dataset.name, figure)
        figures.append((dataset.name, figure.name))
        for name, synthetic in generated.items():
            row = {"dataset": dataset.name, "kind": dataset.kind, "method": name}
            if isinstance(synthetic, str):
                rows.append({**row, "error": synthetic})
            else:
                rows.append({**row, **fidelity(X, y, synthetic, minority), "error": ""})
    frame = pd.DataFrame(rows)
    frame.to_csv(out_dir / "fidelity.csv", index=False)
    (out_dir / "command.txt").write_text(command + "\n")
    (out_dir / "summary.md").write_text(summary_markdown(frame, figures, command))
    return frame


def fidelity_tables(frame, heading="##"):
    """Markdown of the novelty and in_class tables (method x data set)."""
    lines = []
    for figure, meaning in (
        ("novelty", "0 = copies; ~1 = as far apart as real minority samples"),
        ("in_class", "fraction whose nearest real sample is of the minority class"),
    ):
        table = frame.pivot(index="method", columns="dataset", values=figure)
        lines += [f"{heading} {figure} ({meaning})", "", table.round(2).to_markdown(), ""]
    return lines


def summary_markdown(frame, figures, command):
    lines = [
        "# Synthetic minority samples",
        "",
        f"Command: `{command}`  ",
        f"Environment: {environment_line()}",
        "",
        (__doc__ or "").split("\n\n", 1)[1].strip(),
        "",
        *fidelity_tables(frame),
    ]
    failed = frame[frame["error"].fillna("") != ""]
    if len(failed):
        lines += ["## Failed", ""]
        lines += [f"- {r.method} on {r.dataset}: {r.error}" for r in failed.itertuples()]
        lines.append("")
    lines += ["## Figures", ""]
    lines += [f"![{name}]({file})" for name, file in figures]
    lines.append("")
    return "\n".join(lines)
