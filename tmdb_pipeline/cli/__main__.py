from tmdb_pipeline.cli import main

main()
