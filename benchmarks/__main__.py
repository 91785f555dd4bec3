"""Command line: ``python -m benchmarks {run,report,status,list,docs,samples} ...``."""

import argparse
import shlex
import sys
import time
from pathlib import Path

from .methods import METHODS
from .models import MODELS
from .suites import HALVES, SUITES, half


def _split(value):
    return [v for v in value.split(",") if v] if value else None


def _parser():
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run (or resume) a suite and write its outputs")
    run.add_argument("--suite", default="quick", choices=sorted([*SUITES, "speed"]))
    run.add_argument("--datasets", help="comma-separated data set names (default: all)")
    run.add_argument("--subset", type=int, help="only the first N data sets of the suite")
    run.add_argument("--methods", help="comma-separated method names (default: all)")
    run.add_argument(
        "--half", choices=HALVES, help="only the development or the held-out half of the sets"
    )
    run.add_argument("--repeats", type=int, help="only the first N repeats of the cross-validation")
    run.add_argument(
        "--backbone-cache",
        help="folder where samplers with a memory parameter cache their backbones, shared "
        "by variants that differ only after it (results unchanged)",
    )
    run.add_argument("--n-jobs", type=int, default=1, help="parallel cells (joblib)")
    run.add_argument(
        "--backend",
        default="loky",
        choices=["loky", "dask", "ray"],
        help="where cells run: joblib's local processes, or a dask.distributed or Ray "
        "cluster (the one at --scheduler, else a local one of --n-jobs single-threaded "
        "workers)",
    )
    run.add_argument(
        "--scheduler",
        help="address of a dask scheduler (tcp://host:8786) or a Ray cluster "
        "(ray://host:10001, or auto)",
    )
    run.add_argument("--time-limit", type=float, default=None, help="seconds per cell")
    run.add_argument("--no-cache", action="store_true", help="recompute cached cells")
    run.add_argument(
        "--retry-failed", action="store_true", help="recompute cached failures and timeouts"
    )
    run.add_argument(
        "--device",
        default="cpu",
        choices=["cpu", "cuda"],
        help="speed suite: where the learned samplers train (default: cpu)",
    )
    run.add_argument(
        "--sizes", help="speed suite: comma-separated numbers of samples (default: 1e3-1e6)"
    )
    run.add_argument(
        "--features",
        help="speed suite: comma-separated numbers of features at 1e4 samples, or 'none'",
    )
    run.add_argument("--out", help="output folder (default: benchmarks/results/<suite>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    report = commands.add_parser(
        "report", help="rewrite a suite's summary.md and plot from its committed results.csv"
    )
    report.add_argument("--suite", required=True, choices=sorted(SUITES))
    report.add_argument("--out", help="results folder (default: benchmarks/results/<suite>)")
    commands.add_parser("list", help="list suites, methods and models")
    status = commands.add_parser("status", help="cached / total cells per data set of a suite")
    status.add_argument("--suite", default="quick", choices=sorted(SUITES))
    status.add_argument("--subset", type=int, help="only the first N data sets of the suite")
    commands.add_parser("docs", help="write docs/benchmarks.md from the committed results")
    commands.add_parser(
        "samples", help="plot real vs synthetic minority samples (benchmarks/results/samples)"
    )
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.command == "list":
        for name, suite in SUITES.items():
            n_datasets = "?" if callable(suite.datasets) else len(suite.datasets)
            print(f"suite {name}: {n_datasets} data sets, {len(suite.methods)} methods")
        print("suite speed: fit_resample time and memory vs size, see benchmarks/speed.py")
        print("methods:", ", ".join(METHODS))
        print("models:", ", ".join(MODELS))
        return 0

    if args.command == "status":
        from .runner import cache_status

        suite = SUITES[args.suite]
        names = [d.name for d in suite.get_datasets()[: args.subset]]
        counts = cache_status(args.suite, datasets=names)
        for name, (done, total) in counts.items():
            print(f"{done:5d} / {total:5d}  {name}")
        done, total = (sum(c[i] for c in counts.values()) for i in (0, 1))
        print(f"{done:5d} / {total:5d}  cells cached in suite {args.suite}")
        return 0

    if args.command == "report":
        from .report import rewrite_outputs

        rewrite_outputs(SUITES[args.suite], args.out)
        print(f"rewrote summary.md and plot in {args.out or f'benchmarks/results/{args.suite}'}")
        return 0

    if args.command == "docs":
        from .docs_page import write_page

        print(f"wrote {write_page()}")
        return 0

    command = "python -m benchmarks " + shlex.join(argv)
    if args.command == "samples":
        from . import samples

        frame = samples.run(command=command)
        print(frame.round(3).to_string(index=False))
        return 0

    speed_only = {
        "--device": args.device != "cpu",
        "--sizes": args.sizes,
        "--features": args.features,
    }
    if args.suite != "speed" and any(speed_only.values()):
        used = [name for name, value in speed_only.items() if value]
        raise SystemExit(f"{', '.join(used)} apply to --suite speed only")
    if args.suite == "speed":
        from . import speed

        methods = args.methods.split(",") if args.methods else speed.METHODS
        sizes = [int(float(n)) for n in _split(args.sizes)] if args.sizes else speed.SIZES
        features = speed.FEATURES
        if args.features:
            features = [] if args.features == "none" else [int(d) for d in _split(args.features)]
        frame = speed.run(
            time_limit=args.time_limit or 1200,
            methods=methods,
            sizes=sizes,
            features=features,
            progress=not args.quiet,
            device=args.device,
        )
        out = Path(args.out) if args.out else speed.RESULTS
        if args.device == "cuda" and not args.out:
            out = out.with_name("speed_gpu")
        print(speed.write_outputs(frame, command, out, device=args.device))
        return 0

    from .report import write_outputs
    from .runner import run_suite

    suite = SUITES[args.suite]
    unknown = sorted(set(_split(args.methods) or ()) - set(METHODS))
    if unknown:  # a label is never silently dropped (labels hold no commas)
        raise SystemExit(f"unknown methods {unknown}; see python -m benchmarks list")
    datasets = _split(args.datasets)
    if args.subset:
        datasets = [d.name for d in suite.get_datasets()[: args.subset]]
    if args.half:
        datasets = datasets or [d.name for d in suite.get_datasets()]
        datasets = [d for d in datasets if half(d) == args.half]
    start = time.perf_counter()
    rows = run_suite(
        args.suite,
        datasets=datasets,
        methods=_split(args.methods),
        n_jobs=args.n_jobs,
        use_cache=not args.no_cache,
        time_limit_s=args.time_limit,
        progress=not args.quiet,
        retry_failed=args.retry_failed,
        backbone_cache=args.backbone_cache,
        repeats=args.repeats,
        backend=args.backend,
        scheduler=args.scheduler,
    )
    summary = write_outputs(
        rows, suite, command, args.out, wall_seconds=time.perf_counter() - start
    )
    print(summary.split("## Mean ± sd")[0])
    print(
        f"[{len(rows)} rows in {time.perf_counter() - start:.0f} s; outputs in "
        f"{args.out or f'benchmarks/results/{suite.name}'}]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
