"""trending resource."""
