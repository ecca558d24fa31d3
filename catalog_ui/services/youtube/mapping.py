"""YouTube API resources → values of our `video` and `channel` columns.

Decisions that are ours, not YouTube's:
- A video or channel column is left out of the result when its source field is absent from the
  resource, so a partial response never blanks a stored value; a field YouTube sends but we cannot
  parse is left out too, with a warning in the log.
- `title` is cut to 200 characters (the column's size) only when longer.
- `is_live_stream` is True when `snippet.liveBroadcastContent` is `live`/`upcoming` or when the
  resource has `liveStreamingDetails` (present for finished streams too, which is why the Data API
  client asks for that part); otherwise False. `upload_source` follows it: `live_stream` or `upload`.
- Claims: see `ownership_fields_from_claims`. A claim of another content owner is a claim snippet with
  `thirdPartyClaim: true`; YouTube's snippet does not name that owner, so the owner travels in a
  `contentOwner` object shaped like the API's ContentOwner resource (`{"id", "displayName"}`), which
  is what our simulator sends.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from catalog_ui.services.youtube.categories import category_name

log = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
HANDLE_MAX_LENGTH = 100  # channel.handle: a handle is 3-30 characters and "@"; legacy custom URLs are longer
LIVE_BROADCAST_STATES = frozenset({"live", "upcoming"})
UPLOAD_SOURCE_LIVE = "live_stream"
UPLOAD_SOURCE_UPLOAD = "upload"
THIRD_PARTY_OWNER_FIELD = "contentOwner"
# Most relevant first: what is enforced now, then open disputes, then what still needs a decision.
CLAIM_STATUS_PRIORITY = (
    "active",
    "takedown",
    "appealed",
    "disputed",
    "routedForReview",
    "pending",
    "potential",
    "inactive",
)
POLICY_ACTION_WORDS = {"monetize": "Monetize", "track": "Track", "block": "Block", "takedown": "Take down"}
THUMBNAIL_PREFERENCE = ("maxres", "standard", "high", "medium", "default")

_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)
_UNIT_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def parse_duration(value: str) -> int:
    """Seconds in an ISO-8601 duration as YouTube writes it (`PT1H2M3S`, `P1DT2H`, `PT0S`, `P0D`).

    Fractions of a second are dropped. Raises ValueError for anything else (years and months included:
    their length in seconds is not defined).
    """
    text = value.strip()
    match = _DURATION.fullmatch(text)
    if match is None or text.endswith("T") or not any(match.groupdict().values()):
        raise ValueError(f"not an ISO-8601 duration: {value!r}")
    total = sum(float(amount) * _UNIT_SECONDS[unit] for unit, amount in match.groupdict().items() if amount)
    return int(total)


def parse_timestamp(value: str) -> datetime:
    """An aware UTC datetime from an RFC 3339 timestamp (`2024-03-05T14:02:11Z`, offsets converted)."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def video_fields_from_resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    """Map a `youtube#video` resource to `video` columns (only those the resource has; see module doc)."""
    fields: dict[str, Any] = {}
    if isinstance(resource.get("id"), str):
        fields["video_id"] = resource["id"]
    snippet = _section(resource, "snippet")
    details = _section(resource, "contentDetails")
    statistics = _section(resource, "statistics")
    status = _section(resource, "status")

    if "title" in snippet:
        fields["title"] = _truncate(_text(snippet["title"]), TITLE_MAX_LENGTH)
    if "channelId" in snippet:
        fields["channel_id"] = _text(snippet["channelId"])
    if "channelTitle" in snippet:
        fields["channel_display_name"] = _text(snippet["channelTitle"])
    if "categoryId" in snippet:
        fields["category"] = category_name(_text(snippet["categoryId"]))
    _put_parsed(fields, "time_published", snippet, "publishedAt", parse_timestamp)
    _put_parsed(fields, "video_length", details, "duration", parse_duration)
    _put_parsed(fields, "views", statistics, "viewCount", _parse_count)
    if "privacyStatus" in status:
        fields["privacy_status"] = _text(status["privacyStatus"])
    if "embeddable" in status:
        fields["embedding_allowed"] = _yes_no(status["embeddable"])

    live = _is_live_stream(resource, snippet)
    if live is not None:
        fields["is_live_stream"] = live
        fields["upload_source"] = UPLOAD_SOURCE_LIVE if live else UPLOAD_SOURCE_UPLOAD
    return fields


def channel_fields_from_resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    """Map a `youtube#channel` resource to `channel` columns (only those the resource has).

    `subscriber_count` is None when the channel hides it (`hiddenSubscriberCount`); name, description
    and country fall back to `brandingSettings.channel` when the snippet lacks them. `handle` is
    `snippet.customUrl` as YouTube sends it (`@someartist`, lower-cased by YouTube; a legacy channel's
    custom URL may lack the `@`), left out when longer than the column.
    """
    fields: dict[str, Any] = {}
    if isinstance(resource.get("id"), str):
        fields["channel_id"] = resource["id"]
    snippet = _section(resource, "snippet")
    statistics = _section(resource, "statistics")
    branding = _section(_section(resource, "brandingSettings"), "channel")

    for column, key in (("name", "title"), ("description", "description"), ("country", "country")):
        source = snippet if key in snippet else branding
        if key in source:
            fields[column] = _text(source[key])
    if fields.get("country"):
        fields["country"] = fields["country"].upper()
    if "customUrl" in snippet:
        handle = _text(snippet["customUrl"])
        if handle is not None and len(handle) > HANDLE_MAX_LENGTH:
            log.warning(
                "channel %s: customUrl longer than %d characters ignored",
                fields.get("channel_id"),
                HANDLE_MAX_LENGTH,
            )
        else:
            fields["handle"] = handle
    thumbnails = _section(snippet, "thumbnails")
    if thumbnails:
        fields["image_url"] = _best_thumbnail_url(thumbnails)

    if statistics.get("hiddenSubscriberCount") is True:
        fields["subscriber_count"] = None
    else:
        _put_parsed(fields, "subscriber_count", statistics, "subscriberCount", _parse_count)
    _put_parsed(fields, "video_count", statistics, "videoCount", _parse_count)
    _put_parsed(fields, "view_count", statistics, "viewCount", _parse_count)
    return fields


def ownership_fields_from_claims(claims: list[dict[str, Any]]) -> dict[str, Any]:
    """Summarise a video's claim snippets into the ownership columns.

    - `claimed_status`: status of our own most relevant claim (an active one first, then the order of
      `CLAIM_STATUS_PRIORITY`, then the most recently changed); None when we have no claim on the
      video, even if other owners do.
    - `claimed_by_another_owner`: 'Yes' when another owner has a claim that is not `inactive`.
    - `other_owners_claiming`: those owners' names, distinct (ignoring case), sorted, '|'-joined; None
      when none.
      An owner without a display name is named by its id; one with neither still counts for 'Yes'.
    - `effective_policy`: `policy_summary` of the chosen claim's `appliedPolicy` (else `policy`).
    """
    own = [claim for claim in claims if not _is_third_party(claim)]
    others = [claim for claim in claims if _is_third_party(claim) and _status(claim) != "inactive"]
    chosen = min(own, key=_claim_rank) if own else None

    names: dict[str, str] = {}
    for claim in others:
        name = _owner_name(claim)
        if name:
            names.setdefault(name.casefold(), name)
    policy = None
    if chosen is not None:
        policy = chosen.get("appliedPolicy") or chosen.get("policy")
    return {
        "claimed_status": _status(chosen) if chosen is not None else None,
        "claimed_by_another_owner": "Yes" if others else "No",
        "other_owners_claiming": "|".join(sorted(names.values())) or None,
        "effective_policy": policy_summary(policy),
    }


def policy_summary(policy: Any) -> str | None:
    """A readable line for a policy resource: its name, else its rules ("Monetize in all countries")."""
    if isinstance(policy, str):
        return policy.strip() or None
    if not isinstance(policy, Mapping):
        return None
    name = _text(policy.get("name"))
    if name:
        return name
    parts = [_rule_summary(rule) for rule in policy.get("rules") or [] if isinstance(rule, Mapping)]
    summary = "; ".join(part for part in parts if part)
    return summary or _text(policy.get("description"))


def asset_fields_from_asset(asset: Mapping[str, Any]) -> dict[str, Any]:
    """Map an asset's `metadataEffective` to upc, isrc, genre, artist, label, custom_id.

    As for videos, a field absent from the response is left out (the stored value stays); one present but
    empty is None. `genre` and `artist` are lists (a '|'-separated string is split); an empty list is None.
    """
    metadata = _section(asset, "metadataEffective")
    fields: dict[str, Any] = {}
    for column, key, parse in _ASSET_FIELDS:
        if key in metadata:
            fields[column] = parse(metadata[key])
    return fields


def _section(resource: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = resource.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _text_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = value.split("|")
    if not isinstance(value, list | tuple):
        return None
    items = [text for text in (_text(item) for item in value) if text]
    return items or None


_ASSET_FIELDS: tuple[tuple[str, str, Callable[[Any], Any]], ...] = (
    ("upc", "upc", _text),
    ("isrc", "isrc", _text),
    ("genre", "genre", _text_list),
    ("artist", "artist", _text_list),
    ("label", "label", _text),
    ("custom_id", "customId", _text),
)


def _truncate(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None and len(value) > limit else value


def _yes_no(value: Any) -> str | None:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return None


def _parse_count(value: str) -> int:
    return int(value.strip())


def _put_parsed(
    fields: dict[str, Any], column: str, source: Mapping[str, Any], key: str, parse: Callable[[str], Any]
) -> None:
    if key not in source:
        return
    raw = source[key]
    if raw is None:
        fields[column] = None
        return
    try:
        fields[column] = parse(str(raw))
    except ValueError:
        log.warning("YouTube sent an unparseable %s=%r; %s left unchanged", key, raw, column)


def _is_live_stream(resource: Mapping[str, Any], snippet: Mapping[str, Any]) -> bool | None:
    if "liveStreamingDetails" in resource:
        return True
    if "liveBroadcastContent" in snippet:
        return str(snippet["liveBroadcastContent"]).strip().lower() in LIVE_BROADCAST_STATES
    return None


def _best_thumbnail_url(thumbnails: Mapping[str, Any]) -> str | None:
    candidates = [
        (key, thumb) for key, thumb in thumbnails.items() if isinstance(thumb, Mapping) and thumb.get("url")
    ]
    if not candidates:
        return None

    def score(item: tuple[str, Mapping[str, Any]]) -> tuple[int, int]:
        key, thumb = item
        area = int(thumb.get("width") or 0) * int(thumb.get("height") or 0)
        named = (
            len(THUMBNAIL_PREFERENCE) - THUMBNAIL_PREFERENCE.index(key) if key in THUMBNAIL_PREFERENCE else 0
        )
        return area, named

    return str(max(candidates, key=score)[1]["url"])


def _is_third_party(claim: Mapping[str, Any]) -> bool:
    return claim.get("thirdPartyClaim") is True


def _status(claim: Mapping[str, Any]) -> str | None:
    return _text(claim.get("status"))


def _owner_name(claim: Mapping[str, Any]) -> str | None:
    owner = claim.get(THIRD_PARTY_OWNER_FIELD)
    if not isinstance(owner, Mapping):
        return None
    return _text(owner.get("displayName")) or _text(owner.get("id"))


def _claim_rank(claim: Mapping[str, Any]) -> tuple[int, float, str]:
    status = _status(claim)
    priority = (
        CLAIM_STATUS_PRIORITY.index(status) if status in CLAIM_STATUS_PRIORITY else len(CLAIM_STATUS_PRIORITY)
    )
    changed = _text(claim.get("timeStatusLastModified")) or _text(claim.get("timeCreated"))
    try:
        recency = -parse_timestamp(changed).timestamp() if changed else 0.0
    except ValueError:
        recency = 0.0
    return priority, recency, str(claim.get("id") or "")


def _rule_summary(rule: Mapping[str, Any]) -> str | None:
    action = _text(rule.get("action"))
    if not action:
        return None
    words = POLICY_ACTION_WORDS.get(action.lower(), action.capitalize())
    territories = _section(_section(rule, "conditions"), "requiredTerritories")
    codes = [str(code) for code in territories.get("territories") or [] if code]
    if not codes:
        return f"{words} in all countries"
    if str(territories.get("type")).lower() == "exclude":
        return f"{words} in all countries except {', '.join(codes)}"
    return f"{words} in {', '.join(codes)}"
