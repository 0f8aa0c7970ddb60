"""Lineage of the whole pipeline in DataHub's model: the emitter for the hops no ingestion recipe
sees (TMDB -> source-tmdb -> Kafka -> Bronze, Gold -> MongoDB -> API), the runner for the recipes
in datahub/recipes/, and a self-contained HTML page of the same graph."""
