"""system resource."""
