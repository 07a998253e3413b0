"""The headless command line: `nn-tui train|evaluate|info`, and the app when no command is given."""
