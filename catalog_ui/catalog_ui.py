"""The Reflex app: theme and one add_page line per route."""

import reflex as rx

app = rx.App(theme=rx.theme(accent_color="indigo", radius="medium"))
app.add_page(lambda: rx.text("Catalog", id="hello"), route="/", title="Catalog")
