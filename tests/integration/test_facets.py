"""Facet counts and totals on real PostgreSQL: each facet ignores its own selection, counts are exact on
small sets, scaled from a sample (and marked so) on big ones, and the total says when it is an estimate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services import facets
from catalog_ui.services.facets import Total, summarize
from catalog_ui.services.grid_view import VideoFilter, parse_view


@pytest.fixture
def catalog(session: Session) -> Session:
    """Ten videos: 6 public / 3 private / 1 unlisted, two channels, one hidden, flags spread out."""
    rows = [
        # video_id, channel, privacy, category, short, administered, display ads, hidden, title
        ("facet000001", "Nova", "public", "Music", True, False, "Yes", False, "Golden Hour"),
        ("facet000002", "Nova", "public", "Music", False, False, "Yes", False, "Golden Gate"),
        ("facet000003", "Nova", "public", "Comedy", False, True, "No", False, "Silver Lining"),
        ("facet000004", "Echo", "public", "Music", None, False, None, False, "Golden Years"),
        ("facet000005", "Echo", "public", "Comedy", True, False, "Yes", False, "Paper Moon"),
        ("facet000006", "Echo", "public", "Music", False, False, "No", False, "Blue Hour"),
        ("facet000007", "Nova", "private", "Music", False, True, "Yes", False, "Golden Rain"),
        ("facet000008", "Echo", "private", "Music", True, False, "No", False, "Night Drive"),
        ("facet000009", "Echo", "private", None, False, False, "Yes", False, "Slow Motion"),
        ("facet000010", "Nova", "unlisted", "Music", False, False, "Yes", True, "Golden Secret"),
    ]
    for video_id, channel, privacy, category, short, administered, ads, hidden, title in rows:
        session.add(
            Video(
                video_id=video_id,
                channel_display_name=channel,
                privacy_status=privacy,
                category=category,
                is_short=short,
                administered=administered,
                display_ads_enabled=ads,
                hidden=hidden,
                title=title,
            )
        )
    session.commit()
    session.execute(text("ANALYZE video"))
    session.commit()
    return session


def _summary(session: Session, query: str, admin: bool = False):
    view, _ = parse_view(query)
    return summarize(session, view.filter, can_see_hidden=admin)


def test_counts_of_the_whole_catalog_are_exact_when_small(catalog: Session) -> None:
    summary = _summary(catalog, "")
    assert summary.exact is True
    assert summary.total == Total(9, True)
    assert summary.facets["privacy"] == {"public": 6, "private": 3}
    assert summary.facets["channel"] == {"Nova": 4, "Echo": 5}
    assert summary.facets["category"] == {"Music": 6, "Comedy": 2, "": 1}
    assert summary.facets["short"] == {"true": 3, "false": 5}
    assert summary.facets["administered"] == {"true": 2, "false": 7}
    assert summary.facets["display_ads_enabled"] == {"true": 5, "false": 3}
    assert "hidden" not in summary.facets  # people who cannot see hidden videos get no count of them


def test_a_facet_ignores_its_own_selection_but_narrows_the_others(catalog: Session) -> None:
    summary = _summary(catalog, "privacy=private")
    assert summary.total == Total(3, True)
    assert summary.facets["privacy"] == {"public": 6, "private": 3}  # still every privacy to switch to
    assert summary.facets["channel"] == {"Nova": 1, "Echo": 2}
    assert summary.facets["short"] == {"true": 1, "false": 2}


def test_two_facets_narrow_each_other(catalog: Session) -> None:
    summary = _summary(catalog, "privacy=public&short=yes")
    assert summary.total == Total(2, True)
    assert summary.facets["privacy"] == {"public": 2, "private": 1}  # among Shorts
    assert summary.facets["short"] == {"true": 2, "false": 3}  # among public videos
    assert summary.facets["channel"] == {"Nova": 1, "Echo": 1}


def test_search_narrows_every_count(catalog: Session) -> None:
    summary = _summary(catalog, "q=golden")
    assert summary.total == Total(4, True)
    assert summary.facets["privacy"] == {"public": 3, "private": 1}


def test_selected_values_are_listed_even_without_matches(catalog: Session) -> None:
    summary = _summary(catalog, "q=golden&channel=Nowhere")
    assert summary.total == Total(0, True)
    assert summary.facets["channel"]["Nowhere"] == 0


def test_a_selected_value_outside_the_longest_options_keeps_its_count(session: Session) -> None:
    # Only the MAX_OPTIONS biggest channels are listed, but the one the user picked keeps its real count.
    session.execute(
        text(
            "INSERT INTO video (video_id, channel_display_name) "
            "SELECT 'many' || lpad(g::text, 7, '0'), 'Channel ' || lpad((g % 205)::text, 3, '0') "
            "FROM generate_series(1, 410) g"
        )
    )
    session.execute(text("INSERT INTO video (video_id, channel_display_name) VALUES ('tiny0000001', 'Tiny')"))
    session.commit()
    assert len(_summary(session, "").facets["channel"]) == facets.MAX_OPTIONS
    picked = _summary(session, "channel=Tiny").facets["channel"]
    assert picked["Tiny"] == 1 and len(picked) == facets.MAX_OPTIONS + 1


def test_a_value_with_blanks_inside_survives_its_url(session: Session) -> None:
    # Ingestion trims a channel's name but keeps what is inside: the link to it must find it again.
    session.execute(
        text("INSERT INTO video (video_id, channel_display_name) VALUES ('snake000001', 'DJ  Snake')")
    )
    session.commit()
    assert _summary(session, "channel=DJ++Snake").total == Total(1, True)
    assert _summary(session, "channel=+DJ++Snake%00+").facets["channel"] == {"DJ  Snake": 1}


def test_admins_see_hidden_counts(catalog: Session) -> None:
    summary = _summary(catalog, "", admin=True)
    assert summary.total == Total(9, True)
    assert summary.facets["hidden"] == {"true": 1, "false": 9}
    assert summary.facets["privacy"] == {"public": 6, "private": 3}
    only = _summary(catalog, "hidden=only", admin=True)
    assert only.total == Total(1, True)
    assert only.facets["privacy"] == {"unlisted": 1}


def test_big_catalogs_count_from_a_sample_and_say_so(catalog: Session, monkeypatch) -> None:
    monkeypatch.setattr(facets, "EXACT_ROWS", 2)  # "big": more rows than counted exactly
    summary = _summary(catalog, "privacy=private")
    assert summary.exact is False  # the sample covers the whole tiny table: the figures match, the flag says
    assert summary.facets["privacy"] == {"public": 6, "private": 3}
    assert summary.total == Total(3, True)  # small enough to count exactly
    monkeypatch.setattr(facets, "COUNT_COST_LIMIT", 0.0)  # counting would be costly: the estimate is shown
    assert _summary(catalog, "privacy=private").total == Total(3, False)
    monkeypatch.setattr(facets, "COUNT_COST_LIMIT", 1e9)
    monkeypatch.setattr(facets, "COUNT_LIMIT", 1)
    assert _summary(catalog, "privacy=private").total == Total(3, False)


def test_an_estimate_that_proves_wrong_falls_back_to_the_sample(catalog: Session, monkeypatch) -> None:
    monkeypatch.setattr(facets, "EXACT_CAP", 4)  # the exact pass may read 4 rows; S has 9
    summary = _summary(catalog, "")
    assert summary.exact is False
    assert summary.facets["channel"] == {"Nova": 4, "Echo": 5}


def test_tricky_input_counts_nothing_without_error(catalog: Session) -> None:
    for q in ("%", "_", "\\", "'\"", "x" * 1000, "a:*|b"):
        summary = summarize(catalog, VideoFilter(q=q), can_see_hidden=False)
        assert summary.total == Total(0, True), q


def test_counts_read_as_exact_or_about() -> None:
    from catalog_ui.state.grid_display import count_text, total_label

    assert total_label(Total(1, True)) == "1 video"
    assert total_label(Total(12_345, True)) == "12,345 videos"
    assert total_label(Total(987_654, False)) == "about 990,000 videos"
    assert count_text(1_234, True) == "1,234"
    assert count_text(1_234, False) == "≈ 1,200"
    assert count_text(57, False) == "≈ 57"


# -- range counts ---------------------------------------------------------------------------------------


@pytest.fixture
def ranged(session: Session) -> Session:
    """Eight videos spread over three years and five views bands (one hidden, one with neither)."""
    rows = [
        # video_id, published (UTC), views, privacy, hidden
        ("range000001", datetime(2023, 3, 1, tzinfo=UTC), 50, "public", False),
        ("range000002", datetime(2023, 12, 31, 23, 30, tzinfo=UTC), 150, "public", False),
        ("range000003", datetime(2024, 1, 1, 0, 10, tzinfo=UTC), 999, "private", False),
        ("range000004", datetime(2024, 6, 1, tzinfo=UTC), 1000, "public", False),
        ("range000005", datetime(2025, 2, 2, tzinfo=UTC), 12_345, "public", False),
        ("range000006", None, None, "public", False),
        ("range000007", datetime(2025, 5, 5, tzinfo=UTC), 0, "private", False),
        ("range000008", datetime(2024, 2, 2, tzinfo=UTC), 5, "public", True),
    ]
    for video_id, published, views, privacy, hidden in rows:
        session.add(
            Video(
                video_id=video_id,
                time_published=published,
                views=views,
                privacy_status=privacy,
                hidden=hidden,
            )
        )
    session.commit()
    session.execute(text("ANALYZE video"))
    session.commit()
    return session


def test_range_buckets_count_years_and_views_bands(ranged: Session) -> None:
    summary = _summary(ranged, "")
    assert summary.ranges_exact is True
    assert summary.ranges == {
        "published": {"2023": 2, "2024": 2, "2025": 2},  # 23:30 on New Year's Eve UTC is still 2023
        "views": {"0": 2, "3": 2, "4": 1, "5": 1},  # 0–99, 100–999, 1,000–9,999, 10,000–99,999
    }
    assert _summary(ranged, "hidden=include", admin=True).ranges["published"] == {
        "2023": 2,
        "2024": 3,
        "2025": 2,
    }


def test_a_range_ignores_its_own_condition_but_narrows_the_others(ranged: Session) -> None:
    summary = _summary(ranged, "published_from=2024-01-01&published_to=2024-12-31")
    assert summary.total == Total(2, True)
    assert summary.ranges["published"] == {"2023": 2, "2024": 2, "2025": 2}
    assert summary.ranges["views"] == {"3": 1, "4": 1}
    assert summary.facets["privacy"] == {"public": 1, "private": 1}

    summary = _summary(ranged, "privacy=public&views_min=100&views_max=999&published_from=2023-06-01")
    assert summary.total == Total(1, True)
    assert summary.ranges["views"] == {"3": 1, "4": 1, "5": 1}  # public, published from June 2023
    assert summary.ranges["published"] == {"2023": 1}  # public, 100–999 views
    assert summary.facets["privacy"] == {"public": 1, "private": 1}


def test_range_counts_of_big_catalogs_come_from_the_sample(ranged: Session, monkeypatch) -> None:
    monkeypatch.setattr(facets, "EXACT_ROWS", 0)
    summary = _summary(ranged, "views_min=1000")
    assert summary.ranges_exact is False  # the sample holds the whole tiny table: the figures match
    assert summary.ranges["views"] == {"0": 2, "3": 2, "4": 1, "5": 1}
    assert summary.ranges["published"] == {"2024": 1, "2025": 1}
