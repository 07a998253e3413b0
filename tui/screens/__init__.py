"""Modal screens over the main one: help, confirmation, and the save / open dialogs."""
