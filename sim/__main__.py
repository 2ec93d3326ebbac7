"""``python -m sim`` is the ``insim`` command (importing this module runs nothing)."""

from sim.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
