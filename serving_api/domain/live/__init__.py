"""live resource: the speed layer's figures, with Gold as the fallback."""
