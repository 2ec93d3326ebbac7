"""``python -m sim`` is the ``insim`` command."""

from sim.cli import main

raise SystemExit(main())
