"""The dashboard's overview: totals, queue by status, recent reports, data-quality issues."""

from __future__ import annotations

from sqlalchemy import text

from catalog_ui.services.dashboard import overview


def test_overview(session) -> None:
    session.execute(text("INSERT INTO channel (channel_id, name) VALUES ('UCa', 'Nova')"))
    session.execute(
        text(
            "INSERT INTO video (video_id, channel_id, views, isrc, upc) VALUES "
            "('aaaaaaaaaa1', 'UCa', 10, 'USABC2400001', '123456789012'), "
            "('aaaaaaaaaa2', 'UCa', 5, 'US-ABC-24', NULL), "
            "('aaaaaaaaaa3', 'UCa', 1, NULL, '12ab')"
        )
    )
    session.execute(
        text(
            "INSERT INTO processing_queue (video_id, task_type, status) VALUES "
            "('aaaaaaaaaa1', 'metadata_sync', 'pending'), ('aaaaaaaaaa2', 'ownership_update', 'pending'), "
            "('aaaaaaaaaa3', 'metadata_sync', 'failed')"
        )
    )
    session.execute(text("INSERT INTO metadata_sync (video_id, changes) VALUES ('aaaaaaaaaa1', '{}')"))
    for name in ("old.csv", "new.csv"):
        session.execute(text("INSERT INTO report (filename, status) VALUES (:n, 'completed')"), {"n": name})
    session.commit()

    data = overview(session)
    assert data["totals"] == {"videos": 3, "channels": 1, "views": 16, "history": 1}
    assert type(data["totals"]["views"]) is int  # sum() is numeric in SQL; the page formats ints
    assert data["queue"]["pending"] == 2 and data["queue"]["failed"] == 1 and data["queue"]["completed"] == 0
    assert [r["filename"] for r in data["reports"]] == ["new.csv", "old.csv"]
    assert data["quality_counts"] == {"isrc_invalid": 1, "upc_invalid": 1}
    assert data["quality_total"] == 2
    assert [r["video_id"] for r in data["quality_sample"]] == ["aaaaaaaaaa2", "aaaaaaaaaa3"]
