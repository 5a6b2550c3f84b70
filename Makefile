# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: demo test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/statmech-nn demo --out $(OUT)

# two or more workers (up to 4): the suite is dominated by numba compilation of many models
test: $(STAMP)
	$(PY) -m pytest -q -n auto --maxprocesses=4 --dist loadgroup --durations=30

bench: $(STAMP)
	$(PY) benchmarks/solver_hopfield.py
	$(PY) benchmarks/phase_diagram_hopfield.py
	$(PY) benchmarks/derive_and_import.py
	$(PY) benchmarks/mc_hopfield.py
	$(PY) benchmarks/mc_hopfield_options.py
	$(PY) benchmarks/mc_pbody.py
	$(PY) benchmarks/learning_curve.py
	$(PY) benchmarks/mlp_taylor.py
	$(PY) benchmarks/lattice_phi4.py
	$(PY) benchmarks/raster_sampling.py
	$(PY) benchmarks/mc_dense_hebbian.py
	$(PY) benchmarks/rsb_sk_ground_state.py
	$(PY) benchmarks/cold_start.py

clean:
	rm -rf $(VENV) $(OUT) .statmech_nn_cache build *.egg-info
