"""One generator module per built-in form set (NAME, TEMPLATES), over the shared layout library."""
