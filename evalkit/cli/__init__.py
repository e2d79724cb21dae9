"""The command-line interface: thin click commands over the library (one module per group)."""
