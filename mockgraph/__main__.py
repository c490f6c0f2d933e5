"""``python -m mockgraph``: the same as the ``mockgraph`` command."""

from mockgraph.cli.main import main

raise SystemExit(main())
