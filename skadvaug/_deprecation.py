"""Renamed parameters keep working for one release, with a ``FutureWarning`` (as scikit-learn)."""

import warnings

DEPRECATED = "deprecated"


def _warn(owner, old, new):
    warnings.warn(
        f"{type(owner).__name__}: the parameter {old!r} was renamed {new!r} in 0.2 and "
        f"the old name will stop working in 0.3; use {new!r}.",
        FutureWarning,
        stacklevel=4,
    )


def renamed(owner, old, new):
    """The value to use for parameter ``new``: the old one's where the caller set it."""
    value = getattr(owner, old)
    if isinstance(value, str) and value == DEPRECATED:
        return getattr(owner, new)
    _warn(owner, old, new)
    return value


def rename_prefixed(owner, kwargs, old, new):
    """``kwargs`` with ``old__*`` keys renamed ``new__*`` (warning once per old prefix)."""
    renamed_kwargs = {}
    for key, value in kwargs.items():
        if key.startswith(f"{old}__"):
            _warn(owner, f"{old}__*", f"{new}__*")
            key = f"{new}__{key[len(old) + 2 :]}"
        renamed_kwargs[key] = value
    return renamed_kwargs
