"""A TMDB v3 API emulator: deterministic lazy catalogue, changes over time, limits and faults.

`tmdb-pipeline emulator` serves it; `tmdb_pipeline.testing.emulator.running_emulator()` runs it in tests.
"""

from tmdb_pipeline.emulator.catalogue import Catalogue
from tmdb_pipeline.emulator.settings import EmulatorSettings, load_settings

__all__ = ["Catalogue", "EmulatorSettings", "load_settings"]
