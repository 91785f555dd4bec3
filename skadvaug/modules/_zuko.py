"""zuko transforms with the faster paths the flows need (imported only where zuko is)."""

import torch
from zuko.transforms import LULinearTransform


class RowSolveLULinearTransform(LULinearTransform):
    """zuko's ``LULinearTransform`` whose inverse solves all rows at once.

    zuko solves a batch of ``(D, 1)`` systems, one per row. With one ``(D, D)`` matrix
    the rows can be solved together from the right (``x L^T U^T = y``, two triangular
    solves): at 4,096 rows of 20 features 0.4 ms instead of 9 ms, the same result to
    float32 rounding; the flow sampler's generation at 1e6 rows spent a third of its
    time in zuko's solve. A batch of matrices keeps zuko's path.
    """

    def _inverse(self, y):
        if self.L.dim() != 2:
            return super()._inverse(y)
        rows = y.reshape(-1, y.shape[-1])
        lower = torch.linalg.solve_triangular(self.L.T, rows, upper=True, left=False)
        x = torch.linalg.solve_triangular(
            self.U.T, lower, upper=False, left=False, unitriangular=True
        )
        return x.reshape(y.shape)
