"""movies resource."""
