"""Airbyte source for The Movie Database (TMDB) API v3."""

from source_tmdb.source import SourceTmdb

__all__ = ["SourceTmdb"]
