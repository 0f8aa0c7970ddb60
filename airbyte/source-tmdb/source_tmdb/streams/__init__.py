"""Streams of the TMDB source; see each module for its endpoint and state."""

from source_tmdb.streams.catalog import Genres, Movies
from source_tmdb.streams.changes import ChangesStream
from source_tmdb.streams.movie_family import Credits, MovieDetails, Reviews
from source_tmdb.streams.movie_hub import MovieHub
from source_tmdb.streams.people import People
from source_tmdb.streams.plan import SyncContext, SyncPlan

__all__ = [
    "ChangesStream",
    "Credits",
    "Genres",
    "MovieDetails",
    "MovieHub",
    "Movies",
    "People",
    "Reviews",
    "SyncContext",
    "SyncPlan",
]
