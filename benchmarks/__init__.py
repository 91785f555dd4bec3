"""skadvaug's benchmark harness: ``python -m benchmarks run --suite quick``.

Registries of methods (:mod:`benchmarks.methods`), downstream models
(:mod:`benchmarks.models`), data sets (:mod:`benchmarks.data`) and suites
(:mod:`benchmarks.suites`); the runner (:mod:`benchmarks.runner`) and the
generated outputs (:mod:`benchmarks.report`) under ``benchmarks/results/<suite>/``.
"""
