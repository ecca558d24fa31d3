"""The dashboard's overview: totals, queue by status, recent reports, data-quality issues."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from catalog_ui.services import dashboard, data_quality
from catalog_ui.services.dashboard import catalog_totals, overview


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
    assert data["totals"] == {"videos": 3, "channels": 1, "views": 16, "history": 1, "history_exact": True}
    assert type(data["totals"]["views"]) is int  # sum() is numeric in SQL; the page formats ints
    assert data["queue"]["pending"] == 2 and data["queue"]["failed"] == 1 and data["queue"]["completed"] == 0
    assert [r["filename"] for r in data["reports"]] == ["new.csv", "old.csv"]
    assert data["quality_counts"] == {"isrc_invalid": 1, "upc_invalid": 1}
    assert data["quality_total"] == 2
    assert [r["video_id"] for r in data["quality_sample"]] == ["aaaaaaaaaa2", "aaaaaaaaaa3"]


def test_a_long_history_is_estimated_and_says_so(session, monkeypatch) -> None:
    # Counting millions of entries on every visit costs seconds: past the limit the planner's figure is
    # shown, marked as an estimate.
    session.execute(text("INSERT INTO video (video_id) VALUES ('aaaaaaaaaa1')"))
    session.execute(
        text(
            "INSERT INTO metadata_sync (video_id, changes) SELECT 'aaaaaaaaaa1', '{}' FROM generate_series(1, 300)"
        )
    )
    session.commit()
    session.execute(text("ANALYZE metadata_sync"))
    monkeypatch.setattr(dashboard, "EXACT_HISTORY_LIMIT", 100)

    totals = catalog_totals(session)

    assert (totals["history"], totals["history_exact"]) == (300, False)
    # a hidden video's entries are left out of a user's estimate
    session.execute(text("INSERT INTO video (video_id, hidden) VALUES ('aaaaaaaaaa2', true)"))
    session.execute(
        text(
            "INSERT INTO metadata_sync (video_id, changes) SELECT 'aaaaaaaaaa2', '{}' FROM generate_series(1, 40)"
        )
    )
    session.commit()
    session.execute(text("ANALYZE metadata_sync"))
    assert catalog_totals(session, include_hidden=True)["history"] == 340
    assert catalog_totals(session)["history"] == 300
    session.execute(text("DELETE FROM metadata_sync WHERE video_id = 'aaaaaaaaaa2'"))
    session.commit()
    session.execute(text("DELETE FROM metadata_sync WHERE id <> (SELECT min(id) FROM metadata_sync)"))
    session.commit()
    session.execute(text("ANALYZE metadata_sync"))
    assert (catalog_totals(session)["history"], catalog_totals(session)["history_exact"]) == (1, True)


def test_the_data_quality_counts_are_read_from_their_partial_indexes(session) -> None:
    # The dashboard counts the issues on every visit: from the indexes that hold just those videos
    # (migration 017), never by reading the catalog. An index serves only if its predicate is the condition.
    session.execute(text("SET enable_seqscan = off"))
    for issue, (column, _) in data_quality.ISSUES.items():
        for include_hidden in (False, True):
            query = data_quality.count_query(issue, include_hidden=include_hidden)
            sql = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
            plan = "\n".join(session.execute(text(f"EXPLAIN {sql}")).scalars())
            assert f"idx_video_{column}_invalid" in plan, plan


def test_claim_counts_per_status_and_the_ownership_conflicts(session) -> None:
    session.execute(
        text(
            "INSERT INTO video (video_id, claimed_status, claimed_by_another_owner, hidden) VALUES "
            "('aaaaaaaaaa1', 'active', 'No', false), ('aaaaaaaaaa2', 'active', 'Yes', false), "
            "('aaaaaaaaaa3', 'disputed', 'Yes', false), ('aaaaaaaaaa4', 'takedown', 'No', false), "
            "('aaaaaaaaaa5', 'disputed', 'Yes', true), ('aaaaaaaaaa6', NULL, 'Yes', false), "
            "('aaaaaaaaaa7', '', NULL, false), ('aaaaaaaaaa8', 'takedown', 'No', true)"
        )
    )
    session.commit()

    # most videos first, then by name; no status is left out but its conflicts count
    assert dashboard.claim_counts(session, include_hidden=True) == {
        "statuses": [("active", 2), ("disputed", 2), ("takedown", 2)],
        "contested": 4,
    }
    # a plain user's counts leave the hidden videos out, and a status only hidden videos hold
    assert dashboard.claim_counts(session) == {
        "statuses": [("active", 2), ("disputed", 1), ("takedown", 1)],
        "contested": 3,
    }
    assert overview(session)["claims"] == dashboard.claim_counts(session)


def test_the_claim_counts_are_read_from_indexes(session) -> None:
    # Counted on every visit: the catalog's through idx_video_claim, the hidden videos' through
    # idx_video_hidden, never by reading every row.
    session.execute(text("SET enable_seqscan = off"))
    for where, index in (("", "idx_video_claim"), ("WHERE hidden", "idx_video_hidden")):
        sql = dashboard._CLAIM_COUNTS.format(where=where)
        plan = "\n".join(session.execute(text(f"EXPLAIN {sql}")).scalars())
        assert index in plan, plan
