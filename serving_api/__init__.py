"""The serving layer: the Gold -> MongoDB sync (`serving_api.sync`) and the Litestar API
(`serving_api.app:create_app`)."""
