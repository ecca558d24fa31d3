"""Unit tests of `catalog_ui.services.youtube.mapping`: API resources → our column values."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from catalog_ui.services.youtube.mapping import (
    asset_fields_from_asset,
    channel_fields_from_resource,
    ownership_fields_from_claims,
    parse_duration,
    policy_summary,
    video_fields_from_resource,
)


def video_resource(**overrides: dict) -> dict:
    """A complete `youtube#video` resource as videos.list returns it; sections replaced by `overrides`."""
    resource = {
        "kind": "youtube#video",
        "etag": "x",
        "id": "dQw4w9WgXcQ",
        "snippet": {
            "publishedAt": "2024-03-05T14:02:11Z",
            "channelId": "UCuAXFkgsw1L7xaCfnd5JJOw",
            "title": "Never Gonna Give You Up",
            "channelTitle": "Rick Astley",
            "categoryId": "10",
            "liveBroadcastContent": "none",
        },
        "contentDetails": {"duration": "PT3M33S"},
        "statistics": {"viewCount": "1500000000", "likeCount": "1"},
        "status": {"uploadStatus": "processed", "privacyStatus": "public", "embeddable": True},
    }
    resource.update(overrides)
    return resource


def claim(status: str, *, claim_id: str = "c1", modified: str | None = None, **extra: object) -> dict:
    """A claim snippet of ours unless `thirdPartyClaim=True` is passed."""
    snippet = {
        "kind": "youtubePartner#claimSnippet",
        "id": claim_id,
        "status": status,
        "thirdPartyClaim": False,
    }
    if modified:
        snippet["timeStatusLastModified"] = modified
    snippet.update(extra)
    return snippet


def other_owner(status: str, name: str | None, *, claim_id: str = "t1") -> dict:
    """A claim of another content owner, named the way the simulator names it."""
    extra: dict = {"thirdPartyClaim": True}
    if name is not None:
        extra["contentOwner"] = {
            "kind": "youtubePartner#contentOwner",
            "id": f"id-{name}",
            "displayName": name,
        }
    return claim(status, claim_id=claim_id, **extra)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT1H2M3S", 3723),
        ("P1DT2H", 93600),
        ("PT0S", 0),
        ("P0D", 0),
        ("PT3M21S", 201),
        ("PT45S", 45),
        ("PT10M", 600),
        ("PT1H", 3600),
        ("P1D", 86400),
        ("P1W", 604800),
        ("P2DT3M", 172980),
        ("PT1.9S", 1),
        (" PT5S ", 5),
    ],
)
def test_parse_duration_reads_youtube_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "P1DT", "3:21", "PT-1S", "P1Y", "P1M", "PT1H2", "garbage", "pt1s"]
)
def test_parse_duration_rejects_malformed_values(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_video_fields_map_every_column() -> None:
    assert video_fields_from_resource(video_resource()) == {
        "video_id": "dQw4w9WgXcQ",
        "title": "Never Gonna Give You Up",
        "channel_id": "UCuAXFkgsw1L7xaCfnd5JJOw",
        "channel_display_name": "Rick Astley",
        "time_published": datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC),
        "category": "Music",
        "video_length": 213,
        "views": 1_500_000_000,
        "privacy_status": "public",
        "embedding_allowed": "Yes",
        "is_live_stream": False,
        "upload_source": "upload",
    }


def test_video_title_is_truncated_to_200_only_when_longer() -> None:
    long = video_resource(snippet={"title": "x" * 250})
    exact = video_resource(snippet={"title": "y" * 200})
    assert video_fields_from_resource(long)["title"] == "x" * 200
    assert video_fields_from_resource(exact)["title"] == "y" * 200


def test_video_published_time_is_aware_utc_even_with_an_offset() -> None:
    fields = video_fields_from_resource(
        video_resource(snippet={"publishedAt": "2024-03-05T16:02:11.250+02:00"})
    )
    published = fields["time_published"]
    assert published.utcoffset().total_seconds() == 0
    assert published == datetime(2024, 3, 5, 14, 2, 11, 250000, tzinfo=UTC)


@pytest.mark.parametrize(("category_id", "name"), [("10", "Music"), ("20", "Gaming"), ("27", "Education")])
def test_video_category_id_becomes_its_name(category_id: str, name: str) -> None:
    fields = video_fields_from_resource(video_resource(snippet={"categoryId": category_id}))
    assert fields["category"] == name


def test_video_unknown_category_id_passes_through() -> None:
    assert video_fields_from_resource(video_resource(snippet={"categoryId": "99"}))["category"] == "99"


def test_video_counts_and_flags_are_converted() -> None:
    fields = video_fields_from_resource(
        video_resource(
            statistics={"viewCount": "0"},
            status={"privacyStatus": "unlisted", "embeddable": False},
            contentDetails={"duration": "P1DT2H"},
        )
    )
    assert fields["views"] == 0
    assert isinstance(fields["views"], int)
    assert fields["privacy_status"] == "unlisted"
    assert fields["embedding_allowed"] == "No"
    assert fields["video_length"] == 93600


@pytest.mark.parametrize(
    ("broadcast", "details", "expected"),
    [
        ("live", None, True),
        ("upcoming", None, True),
        ("none", {"actualStartTime": "2024-01-01T00:00:00Z", "actualEndTime": "2024-01-01T01:00:00Z"}, True),
        ("none", None, False),
    ],
)
def test_video_live_stream_rule(broadcast: str, details: dict | None, expected: bool) -> None:
    resource = video_resource(snippet={"liveBroadcastContent": broadcast})
    if details is not None:
        resource["liveStreamingDetails"] = details
    fields = video_fields_from_resource(resource)
    assert fields["is_live_stream"] is expected
    assert fields["upload_source"] == ("live_stream" if expected else "upload")


def test_video_columns_whose_source_is_absent_are_left_out() -> None:
    fields = video_fields_from_resource({"id": "dQw4w9WgXcQ", "status": {"privacyStatus": "private"}})
    assert fields == {"video_id": "dQw4w9WgXcQ", "privacy_status": "private"}


def test_video_unparseable_values_are_left_out_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    resource = video_resource(
        contentDetails={"duration": "3:33"},
        statistics={"viewCount": "lots"},
        snippet={"publishedAt": "yesterday", "title": "T"},
    )
    with caplog.at_level(logging.WARNING):
        fields = video_fields_from_resource(resource)
    assert "video_length" not in fields
    assert "views" not in fields
    assert "time_published" not in fields
    assert fields["title"] == "T"
    assert len(caplog.records) == 3


def channel_resource(**statistics: object) -> dict:
    """A `youtube#channel` resource with the parts the Data API client asks for."""
    return {
        "kind": "youtube#channel",
        "id": "UCabc",
        "snippet": {
            "title": "Label Channel",
            "description": "Official channel",
            "customUrl": "@labelchannel",
            "country": "gb",
            "thumbnails": {
                "default": {"url": "http://img/88", "width": 88, "height": 88},
                "high": {"url": "http://img/800", "width": 800, "height": 800},
                "medium": {"url": "http://img/240", "width": 240, "height": 240},
            },
        },
        "statistics": statistics
        or {"viewCount": "9876543210", "subscriberCount": "1200000", "videoCount": "345"},
        "brandingSettings": {"channel": {"title": "Label Channel", "country": "GB"}},
    }


def test_channel_fields_map_every_column() -> None:
    assert channel_fields_from_resource(channel_resource()) == {
        "channel_id": "UCabc",
        "name": "Label Channel",
        "description": "Official channel",
        "handle": "@labelchannel",
        "country": "GB",
        "image_url": "http://img/800",
        "subscriber_count": 1_200_000,
        "video_count": 345,
        "view_count": 9_876_543_210,
    }


def test_channel_hidden_subscriber_count_is_none() -> None:
    resource = channel_resource(
        viewCount="10", subscriberCount="0", hiddenSubscriberCount=True, videoCount="2"
    )
    fields = channel_fields_from_resource(resource)
    assert fields["subscriber_count"] is None
    assert fields["video_count"] == 2
    assert fields["view_count"] == 10


def test_channel_best_thumbnail_without_sizes_follows_youtube_names() -> None:
    resource = channel_resource()
    resource["snippet"]["thumbnails"] = {"default": {"url": "http://img/d"}, "high": {"url": "http://img/h"}}
    assert channel_fields_from_resource(resource)["image_url"] == "http://img/h"


def test_channel_country_and_description_fall_back_to_branding_settings() -> None:
    resource = channel_resource()
    del resource["snippet"]["country"], resource["snippet"]["description"]
    resource["brandingSettings"]["channel"].update(country="de", description="From branding")
    fields = channel_fields_from_resource(resource)
    assert fields["country"] == "DE"
    assert fields["description"] == "From branding"


def test_channel_handle_is_the_custom_url_as_youtube_sends_it() -> None:
    resource = channel_resource()
    resource["snippet"]["customUrl"] = "labelchannelofficial"  # a legacy channel's custom URL, no "@"
    assert channel_fields_from_resource(resource)["handle"] == "labelchannelofficial"
    del resource["snippet"]["customUrl"]  # absent: the stored handle is kept, not blanked
    assert "handle" not in channel_fields_from_resource(resource)


def test_a_custom_url_longer_than_the_column_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    resource = channel_resource()
    resource["snippet"]["customUrl"] = "@" + "x" * 100
    assert "handle" not in channel_fields_from_resource(resource)
    assert "customUrl" in caplog.text


def test_ownership_without_claims() -> None:
    assert ownership_fields_from_claims([]) == {
        "claimed_status": None,
        "claimed_by_another_owner": "No",
        "other_owners_claiming": None,
        "effective_policy": None,
    }


def test_ownership_prefers_our_active_claim_and_names_other_owners() -> None:
    policy = {
        "kind": "youtubePartner#policy",
        "name": "Monetize in all countries",
        "rules": [{"action": "monetize"}],
    }
    claims = [
        claim("pending", claim_id="c0"),
        claim("active", claim_id="c1", appliedPolicy=policy),
        other_owner("active", "Warner", claim_id="t1"),
        other_owner("disputed", "Beta Music", claim_id="t2"),
        other_owner("active", "Warner", claim_id="t3"),
    ]
    assert ownership_fields_from_claims(claims) == {
        "claimed_status": "active",
        "claimed_by_another_owner": "Yes",
        "other_owners_claiming": "Beta Music|Warner",
        "effective_policy": "Monetize in all countries",
    }


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["inactive", "pending"], "pending"),
        (["potential", "routedForReview"], "routedForReview"),
        (["pending", "disputed", "inactive"], "disputed"),
        (["disputed", "appealed"], "appealed"),
        (["appealed", "takedown"], "takedown"),
        (["takedown", "active"], "active"),
        (["inactive"], "inactive"),
    ],
)
def test_ownership_picks_the_most_relevant_of_our_claims(statuses: list[str], expected: str) -> None:
    claims = [claim(status, claim_id=f"c{i}") for i, status in enumerate(statuses)]
    assert ownership_fields_from_claims(claims)["claimed_status"] == expected
    assert ownership_fields_from_claims(list(reversed(claims)))["claimed_status"] == expected


def test_ownership_breaks_ties_by_the_latest_change() -> None:
    older = claim("pending", claim_id="a", modified="2024-01-01T00:00:00Z", appliedPolicy={"name": "Old"})
    newer = claim("pending", claim_id="b", modified="2024-06-01T00:00:00Z", appliedPolicy={"name": "New"})
    assert ownership_fields_from_claims([older, newer])["effective_policy"] == "New"
    assert ownership_fields_from_claims([newer, older])["effective_policy"] == "New"


def test_ownership_with_only_other_owners_has_no_claimed_status() -> None:
    fields = ownership_fields_from_claims([other_owner("active", "Sony Music")])
    assert fields["claimed_status"] is None
    assert fields["effective_policy"] is None
    assert fields["claimed_by_another_owner"] == "Yes"
    assert fields["other_owners_claiming"] == "Sony Music"


def test_ownership_ignores_inactive_claims_of_other_owners() -> None:
    fields = ownership_fields_from_claims([claim("active"), other_owner("inactive", "Released Ltd")])
    assert fields["claimed_by_another_owner"] == "No"
    assert fields["other_owners_claiming"] is None


def test_ownership_unnamed_other_owner_still_counts() -> None:
    fields = ownership_fields_from_claims([claim("active"), other_owner("active", None)])
    assert fields["claimed_by_another_owner"] == "Yes"
    assert fields["other_owners_claiming"] is None


def test_ownership_uses_the_claim_policy_when_no_applied_policy() -> None:
    fields = ownership_fields_from_claims([claim("active", policy={"rules": [{"action": "track"}]})])
    assert fields["effective_policy"] == "Track in all countries"


@pytest.mark.parametrize(
    ("policy", "summary"),
    [
        ({"name": "Block everywhere", "rules": [{"action": "block"}]}, "Block everywhere"),
        ({"rules": [{"action": "monetize"}]}, "Monetize in all countries"),
        (
            {
                "rules": [
                    {
                        "action": "monetize",
                        "conditions": {
                            "requiredTerritories": {"type": "include", "territories": ["US", "CA"]}
                        },
                    },
                    {
                        "action": "block",
                        "conditions": {
                            "requiredTerritories": {"type": "exclude", "territories": ["US", "CA"]}
                        },
                    },
                ]
            },
            "Monetize in US, CA; Block in all countries except US, CA",
        ),
        ({"rules": [{"action": "takedown"}]}, "Take down in all countries"),
        ({"rules": [], "description": "Custom"}, "Custom"),
        ({"rules": []}, None),
        ("Track in all countries", "Track in all countries"),
        (None, None),
    ],
)
def test_policy_summary(policy: object, summary: str | None) -> None:
    assert policy_summary(policy) == summary


def test_asset_fields_from_effective_metadata() -> None:
    asset = {
        "kind": "youtubePartner#asset",
        "id": "A123",
        "metadataEffective": {
            "customId": "CAT-001",
            "isrc": "USABC2400001",
            "upc": "012345678905",
            "artist": ["Artist One", "Artist Two"],
            "genre": ["Pop"],
            "label": "Big Label",
            "title": "Song",
        },
        "metadataMine": {"label": "Not effective"},
    }
    assert asset_fields_from_asset(asset) == {
        "upc": "012345678905",
        "isrc": "USABC2400001",
        "genre": ["Pop"],
        "artist": ["Artist One", "Artist Two"],
        "label": "Big Label",
        "custom_id": "CAT-001",
    }


def test_asset_fields_absent_from_the_response_are_left_out() -> None:
    # A partial response never blanks what a report stored: only the fields YouTube sent are written.
    assert asset_fields_from_asset({"id": "A1"}) == {}
    assert asset_fields_from_asset({"id": "A1", "metadataEffective": {"customId": "C-1"}}) == {
        "custom_id": "C-1"
    }


def test_asset_fields_sent_empty_are_cleared() -> None:
    assert asset_fields_from_asset(
        {"metadataEffective": {"artist": [], "genre": ["", " "], "label": " "}}
    ) == {
        "artist": None,
        "genre": None,
        "label": None,
    }


def test_asset_pipe_joined_lists_are_split() -> None:
    fields = asset_fields_from_asset({"metadataEffective": {"artist": "A | B", "genre": "Rock|Pop"}})
    assert fields["artist"] == ["A", "B"]
    assert fields["genre"] == ["Rock", "Pop"]
