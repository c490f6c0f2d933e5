"""The ``mockgraph`` command line, one module per command."""
