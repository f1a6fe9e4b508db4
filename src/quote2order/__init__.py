"""quote2order: won quotes become orders."""
