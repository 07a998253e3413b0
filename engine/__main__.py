"""`python -m engine` runs the `nn-tui` command."""

from engine.cli import main

raise SystemExit(main())
