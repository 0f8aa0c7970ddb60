"""OpenAPI configured in one place: title, version, the API-key scheme and the docs pages."""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag

from serving_api.lib.auth import API_KEY_HEADER
from serving_api.settings import ApiSettings

VERSION = "1.0.0"
TAGS = [
    Tag(name="Movies", description="Movies from the Gold marts, with credits and review sentiment"),
    Tag(name="People", description="Cast and crew with their filmography, co-stars and actor-director pairs"),
    Tag(name="Trending", description="Movies whose popularity moved most"),
    Tag(name="Genres", description="Genre statistics by release year"),
    Tag(name="Search", description="Title search"),
    Tag(name="System", description="Health and metrics"),
]


def openapi_config(settings: ApiSettings) -> OpenAPIConfig:
    secured = bool(settings.key_values())
    return OpenAPIConfig(
        title="TMDB lakehouse API",
        version=VERSION,
        description=(
            "Read-only API over the TMDB lakehouse's Gold marts, served from MongoDB. "
            "Errors share one shape (status, title, detail, errors). "
            + (f"Every route except /health needs an `{API_KEY_HEADER}` header." if secured else "")
        ),
        path=settings.docs_path,
        tags=TAGS,
        use_handler_docstrings=True,
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin()],
        components=Components(
            security_schemes={
                "ApiKey": SecurityScheme(type="apiKey", name=API_KEY_HEADER, security_scheme_in="header")
            }
            if secured
            else None
        ),
        security=[{"ApiKey": []}] if secured else None,
    )
