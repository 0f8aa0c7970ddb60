"""Cross-cutting pieces of the API: errors, pagination, metrics, auth, MongoDB, OpenAPI."""
