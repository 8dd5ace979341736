"""One module per CLI command: each turns library results into output and an exit code."""
