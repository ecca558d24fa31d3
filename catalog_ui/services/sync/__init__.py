"""The three YouTube task types: fetch what YouTube says (no transaction open), then the queue applies it.

`metadata` (Data API videos.list + channels.list), `ownership` (Content ID claimSearch), `assets` (Content ID
assets with effective metadata). Each module's `fetch(tasks, context)` turns a claimed batch into one
`Outcome` per task; `catalog_ui.services.tasks` runs the batch and applies the outcomes.
"""
