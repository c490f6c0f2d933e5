"""The implementation of :mod:`mockgraph.strategies`, one module per family of values."""
