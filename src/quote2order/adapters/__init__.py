"""Reference adapters. Each is imported on its own; none is imported by ``quote2order``."""
