"""search resource."""
