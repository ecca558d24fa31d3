"""Reflex configuration: ports and CORS from catalog_ui.settings; telemetry off; no logic here."""

import reflex as rx

from catalog_ui.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="catalog_ui",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_settings.port,
    backend_port=_settings.port,
    api_url=_settings.public_url or f"http://localhost:{_settings.port}",
    deploy_url=_settings.public_url or f"http://localhost:{_settings.port}",
    cors_allowed_origins=_settings.cors_allowed_origins,
    trusted_proxy_hops=_settings.trusted_proxy_hops,
    default_color_mode="light",
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
