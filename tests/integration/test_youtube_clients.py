"""The real YouTube clients against the real simulator over loopback HTTP: batching, paging, errors."""

from __future__ import annotations

import csv
import gzip
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from catalog_ui.services.youtube.content_id import ContentIdClient
from catalog_ui.services.youtube.data_api import CHANNEL_PARTS, VIDEO_PARTS, DataApiClient
from catalog_ui.services.youtube.errors import (
    PermanentApiError,
    QuotaExceededError,
    TransientApiError,
    YouTubeApiError,
)
from catalog_ui.services.youtube.http import GoogleApiTransport, error_from_response, parse_retry_after
from catalog_ui.services.youtube.mapping import (
    asset_fields_from_asset,
    channel_fields_from_resource,
    ownership_fields_from_claims,
    video_fields_from_resource,
)
from tests.simulators.youtube import YouTubeSimulator

REPO_ROOT = Path(__file__).resolve().parents[2]
OWNER = "owner-1"


def video_id(n: int) -> str:
    """An 11-character video id."""
    return f"vid{n:08d}"


@pytest.fixture
def sim() -> Iterator[YouTubeSimulator]:
    with YouTubeSimulator(claim_page_size=2) as simulator:
        yield simulator


@pytest.fixture
def data_api(sim: YouTubeSimulator) -> Iterator[DataApiClient]:
    with DataApiClient(sim.data_api_url, api_key="test-key", timeout=5) as client:
        yield client


@pytest.fixture
def content_id(sim: YouTubeSimulator) -> Iterator[ContentIdClient]:
    with ContentIdClient(sim.content_id_url, OWNER, access_token="test-token", timeout=5) as client:
        yield client


def seed_videos(sim: YouTubeSimulator, count: int) -> list[str]:
    """Add `count` videos with distinct views; return their ids."""
    ids = [video_id(n) for n in range(count)]
    for n, vid in enumerate(ids):
        sim.add_video(vid, title=f"Video {n}", channel_id="UCchannel", channel_title="Channel", views=100 * n)
    return ids


# -- Data API ---------------------------------------------------------------------------------------------


def test_list_videos_sends_50_ids_in_one_call(sim: YouTubeSimulator, data_api: DataApiClient) -> None:
    ids = seed_videos(sim, 50)
    videos = data_api.list_videos(ids + ids[:5])  # duplicates collapse

    assert sorted(videos) == sorted(ids)
    assert videos[ids[7]]["statistics"]["viewCount"] == "700"
    (call,) = sim.calls_to("/videos")
    assert call.params["id"].split(",") == ids
    assert call.params["part"] == VIDEO_PARTS
    assert call.params["key"] == "test-key"
    assert data_api.calls == 1
    assert sim.quota_used == 1


def test_list_videos_refuses_more_than_50_ids_without_calling(
    sim: YouTubeSimulator, data_api: DataApiClient
) -> None:
    ids = seed_videos(sim, 51)
    with pytest.raises(ValueError, match="at most 50"):
        data_api.list_videos(ids)
    assert sim.calls == []
    assert data_api.calls == 0


def test_no_ids_make_no_call(sim: YouTubeSimulator, data_api: DataApiClient) -> None:
    assert data_api.list_videos([]) == {}
    assert data_api.list_channels(["", "  "]) == {}
    assert sim.calls == []


def test_missing_and_hidden_videos_are_absent(sim: YouTubeSimulator, data_api: DataApiClient) -> None:
    kept, hidden = seed_videos(sim, 2)
    sim.hide_video(hidden)
    videos = data_api.list_videos([kept, hidden, "unknown0000"])
    assert list(videos) == [kept]
    sim.hide_video(hidden, hidden=False)
    assert sorted(data_api.list_videos([kept, hidden])) == [kept, hidden]


def test_video_resource_maps_to_columns(sim: YouTubeSimulator, data_api: DataApiClient) -> None:
    sim.add_video(
        "liveStream1",
        title="Live at the Arena",
        channel_id="UClive",
        channel_title="Arena Live",
        published="2024-03-05T14:02:11Z",
        category_id="Music",
        duration=3723,
        views=1234567,
        privacy="unlisted",
        embeddable=False,
        live=True,
    )
    fields = video_fields_from_resource(data_api.list_videos(["liveStream1"])["liveStream1"])
    assert fields == {
        "video_id": "liveStream1",
        "title": "Live at the Arena",
        "channel_id": "UClive",
        "channel_display_name": "Arena Live",
        "time_published": datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC),
        "category": "Music",
        "video_length": 3723,
        "views": 1234567,
        "privacy_status": "unlisted",
        "embedding_allowed": "No",
        "is_live_stream": True,
        "upload_source": "live_stream",
    }


def test_list_channels_with_hidden_subscribers(sim: YouTubeSimulator, data_api: DataApiClient) -> None:
    sim.add_channel("UChidden", title="Quiet", country="FR", subscribers=500, hidden_subscribers=True)
    seed_videos(sim, 3)  # registers UCchannel with counts computed from its videos
    channels = data_api.list_channels(["UChidden", "UCchannel", "UCunknown"])

    assert sorted(channels) == ["UCchannel", "UChidden"]
    assert sim.calls_to("/channels")[0].params["part"] == CHANNEL_PARTS
    hidden = channel_fields_from_resource(channels["UChidden"])
    assert hidden["subscriber_count"] is None
    assert hidden["country"] == "FR"
    assert hidden["image_url"].startswith(sim.base_url)
    derived = channel_fields_from_resource(channels["UCchannel"])
    assert (derived["name"], derived["video_count"], derived["view_count"]) == ("Channel", 3, 300)
    assert httpx.get(hidden["image_url"]).headers["content-type"] == "image/svg+xml"


def test_bearer_token_is_sent_instead_of_a_key(sim: YouTubeSimulator) -> None:
    (vid,) = seed_videos(sim, 1)
    with DataApiClient(sim.data_api_url, access_token="tok-123", timeout=5) as client:
        assert list(client.list_videos([vid])) == [vid]
    (call,) = sim.calls
    assert call.authorization == "Bearer tok-123"
    assert "key" not in call.params


def test_the_content_owners_private_videos_need_oauth_on_its_behalf(sim: YouTubeSimulator) -> None:
    # YouTube lists a private video only for its owner: an API key alone sees it as missing.
    public, private = seed_videos(sim, 2)
    sim.add_video(
        private, title="Unreleased", channel_id="UCchannel", channel_title="Channel", privacy="private"
    )
    with DataApiClient(sim.data_api_url, api_key="k", timeout=5, content_owner_id=OWNER) as key_only:
        assert (list(key_only.list_videos([public, private])), key_only.sees_private) == ([public], False)
    with DataApiClient(
        sim.data_api_url, api_key="k", access_token="tok", timeout=5, content_owner_id=OWNER
    ) as owner:
        assert (sorted(owner.list_videos([public, private])), owner.sees_private) == ([public, private], True)
    key_call, owner_call = sim.calls
    assert "onBehalfOfContentOwner" not in key_call.params  # refused without OAuth
    assert owner_call.params["onBehalfOfContentOwner"] == OWNER


# -- Content ID API ---------------------------------------------------------------------------------------


def test_claim_search_follows_every_page(sim: YouTubeSimulator, content_id: ContentIdClient) -> None:
    (vid,) = seed_videos(sim, 1)
    expected = [
        sim.add_claim(vid, "A1", "active", "Monetize in all countries"),
        sim.add_claim(vid, "A2", "pending"),
        sim.add_claim(vid, "A3", "active", owner="Other Owner"),
        sim.add_claim(vid, "A4", "disputed", owner="Third Owner"),
        sim.add_claim(vid, "A5", "inactive"),
    ]
    claims = content_id.search_claims(vid)

    assert [c["id"] for c in claims] == expected
    calls = sim.calls_to("/claimSearch")
    assert len(calls) == 3  # page size 2
    assert "pageToken" not in calls[0].params
    assert calls[1].params["pageToken"] != calls[2].params["pageToken"]
    assert all(c.params["onBehalfOfContentOwner"] == OWNER for c in calls)
    assert all(c.params["includeThirdPartyClaims"] == "true" for c in calls)
    assert ownership_fields_from_claims(claims) == {
        "claimed_status": "active",
        "claimed_by_another_owner": "Yes",
        "other_owners_claiming": "Other Owner|Third Owner",
        "effective_policy": "Monetize in all countries",
    }


def test_claim_search_of_an_unclaimed_video_is_empty(
    sim: YouTubeSimulator, content_id: ContentIdClient
) -> None:
    (vid,) = seed_videos(sim, 1)
    assert content_id.search_claims(vid) == []
    assert ownership_fields_from_claims([])["claimed_status"] is None


def test_get_asset_asks_for_effective_metadata(sim: YouTubeSimulator, content_id: ContentIdClient) -> None:
    sim.add_asset(
        "A 1/x", isrc="USABC2400001", upc="012345678905", artist="One|Two", genre=["Pop"], label="L"
    )
    asset = content_id.get_asset("A 1/x")

    assert asset["id"] == "A 1/x"
    assert asset["ownershipEffective"]["general"][0]["owner"] == OWNER
    (call,) = sim.calls
    assert call.params["fetchMetadata"] == "effective"
    assert call.params["fetchOwnership"] == "effective"
    assert call.params["onBehalfOfContentOwner"] == OWNER
    assert asset_fields_from_asset(asset) == {
        "upc": "012345678905",
        "isrc": "USABC2400001",
        "genre": ["Pop"],
        "artist": ["One", "Two"],
        "label": "L",
    }  # no customId in the asset: the stored custom id stays


def test_unknown_asset_is_a_permanent_404(content_id: ContentIdClient) -> None:
    with pytest.raises(PermanentApiError) as raised:
        content_id.get_asset("A000000000")
    assert (raised.value.status, raised.value.reason) == (404, "notFound")
    assert "A000000000" in str(raised.value)


def test_hidden_video_makes_claims_and_its_asset_404(
    sim: YouTubeSimulator, content_id: ContentIdClient
) -> None:
    (vid,) = seed_videos(sim, 1)
    sim.add_claim(vid, "A1", "active")
    sim.add_asset("A1", isrc="USABC2400001")
    sim.hide_video(vid)
    for call in (lambda: content_id.search_claims(vid), lambda: content_id.get_asset("A1")):
        with pytest.raises(PermanentApiError) as raised:
            call()
        assert raised.value.status == 404


def test_content_id_client_needs_an_owner() -> None:
    with pytest.raises(ValueError):
        ContentIdClient("http://127.0.0.1:9", " ")


# -- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(sim: YouTubeSimulator, data_api: DataApiClient, status: int) -> None:
    (vid,) = seed_videos(sim, 1)
    sim.fail_next(1, status=status)
    with pytest.raises(TransientApiError) as raised:
        data_api.list_videos([vid])
    assert (raised.value.status, raised.value.reason, raised.value.retry_after) == (
        status,
        "backendError",
        None,
    )
    assert list(data_api.list_videos([vid])) == [vid]  # the fault is spent
    assert data_api.calls == 2


def test_429_carries_retry_after(sim: YouTubeSimulator, content_id: ContentIdClient) -> None:
    sim.fail_next(1, status=503)
    sim.fail_next(1, status=429, retry_after=7)
    with pytest.raises(TransientApiError) as first:
        content_id.search_claims(video_id(0))
    with pytest.raises(TransientApiError) as second:
        content_id.search_claims(video_id(0))
    assert first.value.status == 503
    assert (second.value.status, second.value.reason, second.value.retry_after) == (
        429,
        "rateLimitExceeded",
        7.0,
    )


def test_quota_exceeded_is_its_own_class(sim: YouTubeSimulator, data_api: DataApiClient) -> None:
    (vid,) = seed_videos(sim, 1)
    sim.set_quota(2)
    data_api.list_videos([vid])
    data_api.list_channels(["UCchannel"])
    with pytest.raises(QuotaExceededError) as raised:
        data_api.list_videos([vid])
    error = raised.value
    assert (error.status, error.reason) == (403, "quotaExceeded")
    assert not isinstance(error, TransientApiError | PermanentApiError)
    assert "quota" in error.message
    assert sim.quota_used == 2

    sim.reset_quota()
    assert list(data_api.list_videos([vid])) == [vid]
    assert sim.quota_used == 1


def test_bad_request_is_permanent(sim: YouTubeSimulator, data_api: DataApiClient) -> None:
    sim.fail_next(1, status=400)
    with pytest.raises(PermanentApiError) as injected:
        data_api.list_videos([video_id(0)])
    assert (injected.value.status, injected.value.reason) == (400, "badRequest")

    transport = GoogleApiTransport(sim.data_api_url, timeout=5, default_params={"key": "k"})
    with pytest.raises(PermanentApiError) as real:
        transport.get_json("videos", {"part": "snippet,bogus", "id": video_id(0)})
    assert (real.value.status, real.value.reason) == (400, "unknownPart")
    transport.close()


def test_forbidden_for_another_reason_is_permanent(sim: YouTubeSimulator, data_api: DataApiClient) -> None:
    sim.fail_next(1, status=403)
    with pytest.raises(PermanentApiError) as raised:
        data_api.list_videos([video_id(0)])
    assert (raised.value.status, raised.value.reason) == (403, "forbidden")


def test_missing_credentials_give_401(sim: YouTubeSimulator) -> None:
    data_api = DataApiClient(sim.data_api_url, timeout=5)
    content_id = ContentIdClient(sim.content_id_url, OWNER, timeout=5)
    with pytest.raises(PermanentApiError) as data_error:
        data_api.list_videos([video_id(0)])
    with pytest.raises(PermanentApiError) as content_error:
        content_id.get_asset("A1")
    data_api.close()
    content_id.close()
    for raised in (data_error, content_error):
        assert (raised.value.status, raised.value.reason) == (401, "required")
    assert sim.quota_used == 0


def test_slow_server_times_out_as_transient(sim: YouTubeSimulator) -> None:
    (vid,) = seed_videos(sim, 1)
    sim.set_latency(2.0)
    with DataApiClient(sim.data_api_url, api_key="k", timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(TransientApiError) as raised:
            client.list_videos([vid])
        assert time.monotonic() - started < 1.5
        assert (raised.value.status, raised.value.reason) == (None, "timeout")
        sim.set_latency(0)
        assert list(client.list_videos([vid])) == [vid]


def test_unreachable_server_is_transient() -> None:
    with YouTubeSimulator() as stopped:
        url = stopped.data_api_url
    with DataApiClient(url, api_key="k", timeout=2) as client, pytest.raises(TransientApiError) as raised:
        client.list_videos([video_id(0)])
    assert raised.value.reason == "connectionError"
    assert "key=" not in str(raised.value)


def response(
    status: int, body: object = None, headers: dict[str, str] | None = None, text: str = ""
) -> httpx.Response:
    """A response as httpx would hand it over, for the classification rules the simulator cannot trigger."""
    request = httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos?key=secret")
    if body is not None:
        return httpx.Response(status, json=body, headers=headers, request=request)
    return httpx.Response(status, text=text, headers=headers, request=request)


def google_error(code: int, reason: str, message: str = "msg") -> dict:
    """Google's error JSON."""
    return {"error": {"code": code, "message": message, "errors": [{"domain": "d", "reason": reason}]}}


@pytest.mark.parametrize(
    ("status", "body", "error_class", "reason"),
    [
        (403, google_error(403, "dailyLimitExceeded"), QuotaExceededError, "dailyLimitExceeded"),
        (403, google_error(403, "rateLimitExceeded"), TransientApiError, "rateLimitExceeded"),
        (403, google_error(403, "userRateLimitExceeded"), TransientApiError, "userRateLimitExceeded"),
        (403, google_error(403, "insufficientPermissions"), PermanentApiError, "insufficientPermissions"),
        (404, google_error(404, "videoNotFound"), PermanentApiError, "videoNotFound"),
        (
            401,
            {"error": "invalid_grant", "error_description": "Token expired"},
            PermanentApiError,
            "invalid_grant",
        ),
        (408, None, TransientApiError, None),
        (502, None, TransientApiError, None),
    ],
)
def test_error_classification(status: int, body: object, error_class: type, reason: str | None) -> None:
    error = error_from_response(response(status, body, text="<html>Bad gateway</html>"), "videos")
    assert type(error) is error_class
    assert isinstance(error, YouTubeApiError)
    assert (error.status, error.reason) == (status, reason)
    assert "secret" not in error.message


def test_error_message_comes_from_google_json() -> None:
    error = error_from_response(response(400, google_error(400, "invalidParameter", "Bad id list")), "videos")
    assert error.message == "YouTube API 400 invalidParameter on GET videos: Bad id list"


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= parse_retry_after(in_a_minute) <= 60
    error = error_from_response(response(503, google_error(503, "backendError"), {"Retry-After": "3"}), "x")
    assert isinstance(error, TransientApiError)
    assert error.retry_after == 3.0


# -- report loading and scripted changes ------------------------------------------------------------------

REPORT_HEADER = [
    "Video_ID",
    "channel_id",
    "channel_display_name",
    "video_title",
    "time_published",
    "video_length",
    "views",
    "category",
    "privacy_status",
    "asset_id",
    "custom_id",
    "isrc",
    "upc",
    "artist",
    "label",
    "genre",
    "claimed_status",
    "claimed_by_another_owner",
    "other_owners_claiming",
    "effective_policy",
    "embedding_allowed",
    "is_live_stream",
    "some_future_column",
]


def write_report(path: Path, rows: list[list[str]]) -> None:
    """Write a gzip CMS report with a BOM, a repeated header, a blank line and a summary line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    writer.writerows(rows[:1])
    writer.writerow(REPORT_HEADER)
    buffer.write("\r\n")
    writer.writerows(rows[1:])
    writer.writerow(["Total", "", "", "", "", "", "9999"])
    path.write_bytes(gzip.compress(("\ufeff" + buffer.getvalue()).encode()))


def report_row(**values: str) -> list[str]:
    """One report row in `REPORT_HEADER` order; columns not given are empty."""
    return [values.get(name.lower(), "") for name in REPORT_HEADER]


def test_load_report_round_trips_through_the_clients(tmp_path: Path) -> None:
    report = tmp_path / "videos.csv.gz"
    rick_row = report_row(
        video_id="dQw4w9WgXcQ",
        channel_id="UCrick",
        channel_display_name="Rick Astley",
        video_title="Never Gonna Give You Up",
        time_published="2024-03-05T14:02:11Z",
        video_length="213",
        views="1,234,567",
        category="Music",
        privacy_status="unlisted",
        asset_id="A111",
        custom_id="CUST-1",
        isrc="GBARL9300135",
        upc="012345678905",
        artist="Rick Astley|Stock Aitken Waterman",
        label="RCA",
        genre="Pop|Dance",
        claimed_status="active",
        claimed_by_another_owner="Yes",
        other_owners_claiming="Other Owner|Another One",
        effective_policy="Monetize in all countries",
        embedding_allowed="No",
        is_live_stream="No",
        some_future_column="ignored",
    )
    live_row = report_row(
        video_id="liveStrm_01",
        channel_id="UCrick",
        channel_display_name="Rick Astley",
        video_title="Live",
        time_published="2023/12/31 23:00:00",
        video_length="1:02:03",
        views="42",
        category="10",
        privacy_status="Public",
        claimed_by_another_owner="No",
        embedding_allowed="Yes",
        is_live_stream="Yes",
    )
    write_report(report, [rick_row, live_row])
    with YouTubeSimulator() as sim:
        assert sim.load_report(report) == 2
        with (
            DataApiClient(sim.data_api_url, api_key="k", timeout=5) as data_api,
            ContentIdClient(sim.content_id_url, OWNER, access_token="t", timeout=5) as content_id,
        ):
            videos = data_api.list_videos(["dQw4w9WgXcQ", "liveStrm_01"])
            rick = video_fields_from_resource(videos["dQw4w9WgXcQ"])
            live = video_fields_from_resource(videos["liveStrm_01"])
            ownership = ownership_fields_from_claims(content_id.search_claims("dQw4w9WgXcQ"))
            asset = asset_fields_from_asset(content_id.get_asset("A111"))
            channel = channel_fields_from_resource(data_api.list_channels(["UCrick"])["UCrick"])
            live_claims = content_id.search_claims("liveStrm_01")

    assert {k: rick[k] for k in ("title", "channel_display_name", "video_length", "views", "category")} == {
        "title": "Never Gonna Give You Up",
        "channel_display_name": "Rick Astley",
        "video_length": 213,
        "views": 1234567,
        "category": "Music",
    }
    assert (rick["privacy_status"], rick["embedding_allowed"], rick["is_live_stream"]) == (
        "unlisted",
        "No",
        False,
    )
    assert rick["time_published"] == datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)
    assert live["time_published"] == datetime(2023, 12, 31, 23, 0, tzinfo=UTC)
    assert (live["video_length"], live["category"], live["privacy_status"]) == (3723, "Music", "public")
    assert (live["embedding_allowed"], live["is_live_stream"]) == ("Yes", True)
    assert ownership == {
        "claimed_status": "active",
        "claimed_by_another_owner": "Yes",
        "other_owners_claiming": "Another One|Other Owner",
        "effective_policy": "Monetize in all countries",
    }
    assert asset == {
        "upc": "012345678905",
        "isrc": "GBARL9300135",
        "genre": ["Pop", "Dance"],
        "artist": ["Rick Astley", "Stock Aitken Waterman"],
        "label": "RCA",
        "custom_id": "CUST-1",
    }
    assert (channel["name"], channel["video_count"], channel["view_count"]) == ("Rick Astley", 2, 1234609)
    assert live_claims == []


def seeded_simulator(count: int) -> YouTubeSimulator:
    """A simulator (not started) with `count` videos, each with one claim of ours."""
    sim = YouTubeSimulator()
    for n, vid in enumerate(video_id(i) for i in range(count)):
        sim.add_video(vid, title=f"Song {n}", channel_title="Label", views=1000 + n, privacy="public")
        sim.add_claim(vid, f"A{n}", "active", "Monetize in all countries")
    return sim


def test_scripted_changes_are_deterministic_and_visible() -> None:
    first, second, other = seeded_simulator(60), seeded_simulator(60), seeded_simulator(60)
    changes = first.apply_scripted_changes(seed=11, fraction=0.5)

    assert len(changes) == 30
    assert changes == second.apply_scripted_changes(seed=11, fraction=0.5)
    assert changes != other.apply_scripted_changes(seed=12, fraction=0.5)
    changed_columns = {column for columns in changes.values() for column in columns}
    assert changed_columns == {"views", "title", "privacy_status", "claimed_status"}

    with first, DataApiClient(first.data_api_url, api_key="k", timeout=5) as data_api:
        ids = [video_id(i) for i in range(50)]
        fields = {vid: video_fields_from_resource(r) for vid, r in data_api.list_videos(ids).items()}
        with ContentIdClient(first.content_id_url, OWNER, access_token="t", timeout=5) as content_id:
            for vid, n in ((video_id(i), i) for i in range(50)):
                views, title, privacy = (
                    fields[vid]["views"],
                    fields[vid]["title"],
                    fields[vid]["privacy_status"],
                )
                columns = changes.get(vid, [])
                assert (views > 1000 + n) == ("views" in columns)
                assert (title != f"Song {n}") == ("title" in columns)
                assert (privacy != "public") == ("privacy_status" in columns)
                if "claimed_status" in columns:
                    status = ownership_fields_from_claims(content_id.search_claims(vid))["claimed_status"]
                    assert status == "disputed"
    assert second.get_video(video_id(0)) == first.get_video(video_id(0))


# -- standalone -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["tests.simulators.youtube", "tests.simulators"])
def test_standalone_simulator_serves_and_stops_on_sigterm(tmp_path: Path, module: str) -> None:
    report = tmp_path / "videos.csv"
    report.write_text(
        "video_id,channel_display_name,video_title,views\ndQw4w9WgXcQ,Rick,Song,5\n", encoding="utf-8"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            module,
            "--port",
            "0",
            "--report",
            str(report),
            "--changes-seed",
            "1",
            "--changes-fraction",
            "1",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        urls: dict[str, str] = {}
        while "YOUTUBE_CONTENT_ID_URL" not in urls:
            line = process.stdout.readline()
            assert line, "simulator exited before printing its URLs"
            if "=" in line and not line.startswith("#"):
                name, _, value = line.strip().partition("=")
                urls[name] = value
        with DataApiClient(urls["YOUTUBE_DATA_API_URL"], api_key="k", timeout=5) as client:
            video = client.list_videos(["dQw4w9WgXcQ"])["dQw4w9WgXcQ"]
        assert int(video["statistics"]["viewCount"]) > 5  # the scripted change grew the views
    finally:
        process.send_signal(signal.SIGTERM)
        remaining = process.communicate(timeout=10)[0]
    assert process.returncode == 0
    assert "# stopped" in remaining
