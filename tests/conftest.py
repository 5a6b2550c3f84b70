import os
import tempfile

import pytest

# generated kernels go to a per-run cache so tests never race with a user's cache
os.environ.setdefault("STATMECH_NN_CACHE_DIR", os.path.join(tempfile.gettempdir(), "statmech_nn_test_kernels"))
# under pytest-xdist every worker keeps its own numba cache: numba's on-disk cache is not safe for
# processes that compile the same functions at the same moment (numba must not be imported yet)
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "statmech_nn_numba_"
                                                          + os.environ["PYTEST_XDIST_WORKER"]))


@pytest.fixture(scope="session")
def hopfield():
    import statmech_nn as snn
    return snn.model("hopfield")


@pytest.fixture(scope="session")
def sk():
    import statmech_nn as snn
    return snn.model("sk")


@pytest.fixture(scope="session")
def curie_weiss():
    import statmech_nn as snn
    return snn.model("curie-weiss")


@pytest.fixture(scope="session")
def hopfield_pd(hopfield):
    """The AGS phase diagram on a 17 x 17 grid, shared by the phase-diagram and figure tests."""
    import statmech_nn as snn
    return snn.phase_diagram(hopfield, x=("alpha", 0.0, 0.16), y=("T", 0.0, 1.3), resolution=17,
                             progress=False)


def _snapshot(*paths):
    """SHA-256 of every file under ``paths`` (files or folders), with the names: equal snapshots mean
    byte-identical files and no file added or removed."""
    import hashlib
    out = {}
    for root in map(str, paths):
        if os.path.isfile(root):
            out[root] = hashlib.sha256(open(root, "rb").read()).hexdigest()
            continue
        for folder, _, files in os.walk(root):
            for name in files:
                p = os.path.join(folder, name)
                out[p] = hashlib.sha256(open(p, "rb").read()).hexdigest()
        out[root + os.sep] = sorted(os.listdir(root)) if os.path.isdir(root) else None
    return out


@pytest.fixture
def snapshot():
    """``snapshot(*paths)``: hashes of the files under ``paths``, for byte-identity checks."""
    return _snapshot
