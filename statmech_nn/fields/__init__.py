"""Lattice field theories of neural networks and of neural activity (issue 8)."""
