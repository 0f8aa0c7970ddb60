"""`python -m tmdb_pipeline.emulator`: serve with settings from `EMULATOR_*` variables only."""

from tmdb_pipeline.emulator.server import main

main()
