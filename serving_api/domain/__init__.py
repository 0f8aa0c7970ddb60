"""One package per resource: controllers (HTTP), schemas (msgspec), repository (MongoDB queries)."""
