"""`python -m tui` runs the `nn-tui` command."""

from tui.cli.main import main

raise SystemExit(main())
