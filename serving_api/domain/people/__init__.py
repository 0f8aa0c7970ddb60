"""people resource."""
