"""Exceptions raised by skadvaug."""


class TrainingDivergedError(FloatingPointError, ValueError):
    """A training run produced a non-finite loss and was stopped.

    It is a :class:`ValueError` (bad settings or bad data are the usual cause, and
    scikit-learn's model selection treats it like other fit failures) and a
    :class:`FloatingPointError` (what it is).
    """
