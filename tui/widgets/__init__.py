"""One widget a module; each posts messages up and is set from the app down."""
