"""Fitted estimators moved between a CPU machine and a GPU machine, in both file formats.

    python -m benchmarks.device_round_trip save DIR            # fit here, write DIR
    python -m benchmarks.device_round_trip check DIR REPORT.md # load DIR here and run

``save`` fits every public estimator (the small configurations of the estimator checks,
``tests/test_common.py``) on a 60 x 6 table at ``device="auto"``, and writes each in
both formats, :func:`skadvaug.io.dump` (``.skadv``) and plain :mod:`pickle` (``.pkl``),
with its outputs (``predict_proba``, ``predict``, ``transform``) and the device it
trained on. ``check``, on the other machine, loads each file (the safe format with
``map_location`` set to this machine's device, pickle as it is), records where its
tensors ended up, compares its outputs with the saved ones, and fits it again here
(``fit_resample`` or ``fit``) to show that the loaded estimator runs on this machine.
Run ``save`` on a CPU machine and ``check`` on a GPU machine, and the reverse.
"""

import argparse
import io
import pickle
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification

OUTPUTS = ("predict_proba", "predict", "transform")


def _estimators():
    # the estimator checks' small configurations: one list of every public estimator
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.test_common import ESTIMATORS, NETS

    names = [f"{i:02d}-{type(e).__name__}" for i, e in enumerate(ESTIMATORS + NETS)]
    return dict(zip(names, ESTIMATORS + NETS, strict=True))


def _data(estimator):
    X, y = make_classification(60, n_features=6, weights=[0.8], random_state=0)
    if "Regressor" in type(estimator).__name__:
        y = y.astype(np.float32)
    return X.astype(np.float32), y


def _fit(estimator, X, y):
    if hasattr(estimator, "fit_resample"):
        estimator.fit_resample(X, y)
    else:
        estimator.fit(X, y)
    return estimator


def _outputs(estimator, X):
    return {m: np.asarray(getattr(estimator, m)(X)) for m in OUTPUTS if hasattr(estimator, m)}


def _tensor_devices(obj, seen=None):
    """Device types of every torch tensor reachable from ``obj``'s attributes."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return set()
    seen.add(id(obj))
    if isinstance(obj, torch.Tensor):
        return {obj.device.type}
    if isinstance(obj, torch.nn.Module):
        return {t.device.type for t in [*obj.parameters(), *obj.buffers()]}
    if isinstance(obj, torch.optim.Optimizer):
        found = set()
        for state in obj.state.values():
            found |= {v.device.type for v in state.values() if isinstance(v, torch.Tensor)}
        return found
    children = []
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple)):
        children = list(obj)
    elif hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] in {"skadvaug", "skorch"}:
        children = list(vars(obj).values())
    found = set()
    for child in children:
        found |= _tensor_devices(child, seen)
    return found


def save(folder):
    from skadvaug.io import dump

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    outputs, rows = {}, []
    for name, estimator in _estimators().items():
        X, y = _data(estimator)
        estimator = _fit(clone(estimator), X, y)
        dump(estimator, folder / f"{name}.skadv")
        (folder / f"{name}.pkl").write_bytes(pickle.dumps(estimator))
        for method, value in _outputs(estimator, X).items():
            outputs[f"{name}:{method}"] = value
        rows.append({"estimator": name, "devices": ",".join(sorted(_tensor_devices(estimator)))})
        print(f"saved {name} ({rows[-1]['devices'] or 'no tensors'})", flush=True)
    np.savez(folder / "outputs.npz", **outputs)
    pd.DataFrame(rows).to_csv(folder / "saved_on.csv", index=False)


def _check_one(name, estimator_format, path, expected, device):
    from skadvaug.io import load

    template = _estimators()[name]
    X, y = _data(template)
    row = {"estimator": name, "format": estimator_format}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if estimator_format == "skadv":
                loaded = load(path, map_location=device)
            else:
                loaded = pickle.load(io.BytesIO(path.read_bytes()))  # our own files
        row["load warnings"] = "; ".join(sorted({type(w.message).__name__ for w in caught}))
        row["tensors on"] = ",".join(sorted(_tensor_devices(loaded))) or "-"
        differences = [
            float(np.max(np.abs(np.asarray(value, float) - expected[f"{name}:{m}"])))
            for m, value in _outputs(loaded, X).items()
        ]
        row["max |output difference|"] = max(differences) if differences else np.nan
        _fit(loaded, X, y)
        row["refit here"] = "ok"
        row["trained on"] = getattr(loaded, "device_", getattr(loaded, "device", "-"))
    except Exception as error:  # a row per failure, the rest still checked
        row["error"] = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    return row


def check(folder, report):
    folder = Path(folder)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    expected = dict(np.load(folder / "outputs.npz"))
    saved_on = pd.read_csv(folder / "saved_on.csv").fillna("")
    rows = []
    for name, devices in zip(saved_on["estimator"], saved_on["devices"], strict=True):
        for estimator_format in ("skadv", "pkl"):
            row = _check_one(
                name, estimator_format, folder / f"{name}.{estimator_format}", expected, device
            )
            row["saved with tensors on"] = devices or "-"
            rows.append(row)
            print(row, flush=True)
    frame = pd.DataFrame(rows)
    for column in ("error", "load warnings"):
        if column not in frame:
            frame[column] = ""
    frame = frame.fillna({"error": "", "load warnings": ""})
    failed = int((frame["error"] != "").sum())
    where = torch.cuda.get_device_name(0) if device == "cuda" else "a CPU-only machine"
    lines = [
        f"# Fitted estimators loaded on {where}",
        "",
        f"Generated by `python -m benchmarks.device_round_trip check {folder.name} "
        f"{Path(report).name}` (torch {torch.__version__}): each estimator saved on the "
        "other machine, loaded here in both formats (the safe format with "
        f"`map_location='{device}'`, pickle as it is), its outputs compared with the saved "
        "ones, then fitted again here. "
        f"{len(frame) - failed} of {len(frame)} loads ran; {failed} failed.",
        "",
        frame.to_markdown(index=False, floatfmt=".3g"),
        "",
    ]
    Path(report).write_text("\n".join(lines))
    return 0 if failed == 0 else 1


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.device_round_trip",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("save").add_argument("folder")
    checking = commands.add_parser("check")
    checking.add_argument("folder")
    checking.add_argument("report")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.command == "save":
        save(args.folder)
        return 0
    return check(args.folder, args.report)


if __name__ == "__main__":
    sys.exit(main())
