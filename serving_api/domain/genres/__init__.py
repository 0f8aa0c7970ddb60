"""genres resource."""
