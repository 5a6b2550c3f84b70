"""The bridge from SymPy expressions to compiled numeric kernels (numba).

:func:`compile_saddle_point` turns a :class:`~statmech_nn.symbolic.SaddlePoint` into an imported
module of numba kernels (see :mod:`statmech_nn.codegen.generate` for what it contains and
:mod:`statmech_nn.codegen.build` for the on-disk cache); :mod:`statmech_nn.codegen.primitives` holds
the stable scalar functions the kernels call. numba is imported only when kernels are built.
"""
from .build import CompiledKernels, cache_dir, compile_saddle_point

__all__ = ["compile_saddle_point", "CompiledKernels", "cache_dir"]
