"""The notebooks run top to bottom (they assert their own numbers)."""
import os

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = sorted(f for f in os.listdir(os.path.join(ROOT, "notebooks")) if f.endswith(".ipynb"))
# notebooks that compile the same kernels as a test file run on that file's xdist worker, after it or
# before it, so the second finds the first's kernels in the on-disk cache (make test: --dist loadgroup)
GROUPS = {"09_replica_symmetry_breaking.ipynb": "rsb"}


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xdist_group(GROUPS[n])) if n in GROUPS else n
                                  for n in NOTEBOOKS])
def test_notebook_executes(name, tmp_path):
    nb = nbformat.read(os.path.join(ROOT, "notebooks", name), as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
    # the derivation rendered as LaTeX/markdown in Jupyter
    rich = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "text/latex" in o.get("data", {}) or "text/markdown" in o.get("data", {})]
    assert len(rich) >= 3
