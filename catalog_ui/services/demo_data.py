"""Deterministic demo catalog written as YouTube CMS "Videos" reports for two consecutive days.

Every video's values derive from (seed, index) alone, through a random generator seeded per index: rows
stream in constant memory, and the next day's row for an index is that index's day-one row plus a few
changes drawn by continuing the same generator. Only the 50 channels (names, ids, artist rosters, albums)
are built once per seed and cached. The writer compresses on a worker thread while rows are generated.
"""

from __future__ import annotations

import base64
import bisect
import calendar
import csv
import gzip
import operator
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, TypeVar

from catalog_ui.services.youtube.categories import CATEGORY_NAMES

MONETIZATION_FLAGS: tuple[str, ...] = (
    "third_party_ads_enabled",
    "display_ads_enabled",
    "sponsored_cards_enabled",
    "overlay_ads_enabled",
    "nonskippable_video_ads_enabled",
    "long_nonskippable_video_ads_enabled",
    "skippable_video_ads_enabled",
    "prerolls_enabled",
    "midrolls_enabled",
    "postrolls_enabled",
)

CMS_VIDEO_HEADERS: tuple[str, ...] = (
    "video_id",
    "channel_id",
    "channel_display_name",
    "time_published",
    "video_title",
    "video_length",
    "views",
    "category",
    "privacy_status",
    "asset_id",
    "custom_id",
    "isrc",
    "upc",
    "artist",
    "album",
    "label",
    "genre",
    "claimed_status",
    "claimed_by_another_owner",
    "other_owners_claiming",
    "effective_policy",
    *MONETIZATION_FLAGS,
    "embedding_allowed",
    "ratings_allowed",
    "comments_allowed",
    "is_short",
    "is_live_stream",
    "upload_source",
)

DAY_ONE = "2026-01-01"
NEXT_DAY = "2026-01-02"
CHANNEL_COUNT = 50
CLAIM_STATUSES: tuple[str, ...] = (
    "active",
    "inactive",
    "pending",
    "potential",
    "appealed",
    "disputed",
    "takedown",
    "routedForReview",
)
PRIVACY_STATUSES: tuple[str, ...] = ("public", "unlisted", "private")

# Day one is the catalog as of DAY_ONE 00:00 UTC; videos new on the next day are published during DAY_ONE.
_DAY_ONE_EPOCH = calendar.timegm((2026, 1, 1, 0, 0, 0))
_HISTORY_SECONDS = 6 * 365 * 86400
_MASK64 = (1 << 64) - 1
_TITLE_MAX = 200
_CHUNK_CHARS = 1 << 20

_VIEWS_GREW = 0.30
_TITLE_CHANGED = 0.005
_PRIVACY_CHANGED = 0.005
_CLAIM_CHANGED = 0.005

_LABEL_WORDS = (
    "Nova", "Lumen", "Echo", "Velvet", "Crimson", "Atlas", "Harbor", "Neon", "Golden", "Silver",
    "Midnight", "Aurora", "Cedar", "Marble", "Copper", "Solstice", "Paper Moon", "Riverside", "Northbound",
    "Saltwater", "Highline", "Blue Hour", "Wildflower", "Static", "Parallel", "Ember", "Lighthouse",
    "Orchard", "Sundial", "Kingfisher", "Monsoon", "Polaris", "Driftwood", "Glasshouse", "Hollow Oak",
)  # fmt: skip
_LABEL_SUFFIXES = ("Records", "Music", "Recordings", "Sound", "Audio", "Entertainment", "Music Group")
_FIRST_NAMES = (
    "Maya", "Leo", "Ava", "Jonah", "Zoë", "Marcus", "Léa", "Theo", "Nadia", "Elias", "Priya", "Kai", "Isla",
    "Mateo", "Freya", "Omar", "Hana", "Felix", "Ines", "Darius", "Sofia", "Ezra", "Amara", "José", "Noor",
    "Rafael", "Yuna", "Søren", "Lena", "Idris",
)  # fmt: skip
_LAST_NAMES = (
    "Lindqvist", "Okafor", "Marchetti", "Hale", "Fontaine", "Ibarra", "Novak", "Castillo", "Reyes", "Vik",
    "Moreau", "Sato", "Adeyemi", "Kowalski", "Brandt", "Delacroix", "Ferreira", "Quinn", "Rowe", "Voss",
    "Ashby", "Mercer", "Navarro", "Okoye", "Park", "Sinclair", "Thorne", "Valdez", "Winslow", "Zamora",
)  # fmt: skip
_STAGE_NAMES = (
    "KAIRO", "Solenne", "Mëlo", "VANTA", "Juno Bay", "Lil Orbit", "DJ Sable", "Ravenna", "NOIRE", "Ziggy Lux",
    "Ambr", "Halcyon", "MC Tidal", "Sora", "Yaël", "Koda", "Lux Aeterna", "Prism", "Nyxx", "Velour",
)  # fmt: skip
_BAND_ADJECTIVES = (
    "Paper", "Glass", "Electric", "Hollow", "Silent", "Neon", "Wild", "Velvet", "Lunar", "Broken", "Golden",
    "Northern", "Restless", "Crystal", "Wandering",
)  # fmt: skip
_BAND_NOUNS = (
    "Lanterns", "Foxes", "Satellites", "Tides", "Rivals", "Owls", "Harbors", "Echoes", "Giants", "Comets",
    "Pines", "Strangers", "Kites", "Wolves", "Ghosts",
)  # fmt: skip
_SONG_ADJECTIVES = (
    "Golden", "Midnight", "Paper", "Electric", "Broken", "Silver", "Endless", "Lonely", "Sweet", "Wild",
    "Neon", "Quiet", "Burning", "Summer", "Cold", "Heavy", "Blue", "Lost", "Little", "Crazy", "Slow",
    "Secret", "Faded", "Bitter", "Perfect",
)  # fmt: skip
_SONG_NOUNS = (
    "Hearts", "Drive", "Hour", "Rain", "Lights", "Dreams", "Skies", "Fire", "Waves", "Roads", "Nights",
    "Love", "Echo", "Gold", "Mirror", "Heaven", "Thunder", "Stars", "Letters", "Garden", "City", "Summer",
    "Money", "Ocean", "Shadows",
)  # fmt: skip
_SONG_PHRASES = (
    "Hold Me Closer", "Don't Let Go", "Call Me Back", "Run Away", "Stay", "Tell Me Why", "Falling Again",
    "Say My Name", "Take It Slow", "One More Time", "Never Enough", "Come Home", "Dance With Me",
    "Just Like That", "Where You Are", "All I Need", "Better Days", "Leave the Light On", "Hey, Stranger",
    "What We Had",
)  # fmt: skip
_GENRES = (
    "Pop", "Hip-Hop/Rap", "R&B/Soul", "Dance/Electronic", "Rock", "Alternative", "Indie", "Latin",
    "Country", "Jazz", "Classical", "K-Pop", "Afrobeats", "Reggae", "Metal", "Folk", "Singer-Songwriter",
    "House", "Techno", "Lo-Fi",
)  # fmt: skip
_CITIES = (
    "London", "Berlin", "São Paulo", "Tokyo", "Lagos", "Paris", "Los Angeles", "Seoul", "Mexico City",
    "Stockholm", "Toronto", "Madrid", "Nashville", "Melbourne", "Amsterdam",
)  # fmt: skip
_VENUES = (
    "Red Rocks", "the Roundhouse", "Madison Square Garden", "Brixton Academy", "the Paradiso",
    "Primavera Sound", "the Apollo", "Coachella",
)  # fmt: skip
_OTHER_OWNERS = (
    "Brightline Music Publishing", "Kestrel Rights Management", "Orbitwave Distribution",
    "Meridian Audio Network", "Tideway Publishing", "Northgate Sound Rights", "Bluefin Media Partners",
    "Argent Music Admin", "Foxglove Collective Rights", "Stonebridge Publishing",
    "Sable & Finch Music", "Quarry Lane Records",
)  # fmt: skip
_COUNTRIES = ("US", "GB", "DE", "FR", "SE", "NL", "CA", "JP", "KR", "BR", "NG", "AU", "ES", "MX")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

_MUSIC_TITLE_SUFFIXES = (
    (" (Official Video)", 30),
    (" (Official Music Video)", 15),
    (" (Official Audio)", 15),
    (" (Lyric Video)", 10),
    (" (Visualizer)", 5),
    (" (Live at {venue})", 5),
    (" (Acoustic)", 4),
    (" (Official Dance Video)", 3),
    (" [{year} Remaster]", 3),
    ("", 10),
)
_OTHER_TITLES = (
    'Behind the Scenes: "{song}" Video Shoot',
    "{artist} Answers Fan Questions",
    "Studio Session Vlog #{n}",
    "{artist} Reacts to {song}",
    'Making of "{album}" - Documentary',
    "Tour Diary Day {n}: {city}",
    "{artist} Interview | {city} {year}",
    "We Tried Recording a Song in 24 Hours, Here's What Happened",
)
_LIVE_TITLES = (
    "{artist} - Live from {city} (Full Concert)",
    "🔴 LIVE: {artist} Album Listening Party",
    "{artist} - Live Q&A and Acoustic Set",
)
_SHORT_TITLES = ("{song} #shorts", "{artist} - {song} #shorts", "POV: {song} hits different #shorts")
_RETITLE_SUFFIXES = (" (Remastered)", " [HD]", " | 4K", " (Official Video) [2026]")
_OTHER_CATEGORIES = (("24", 40), ("22", 25), ("1", 10), ("23", 8), ("27", 7), ("26", 5), ("20", 5))
_CLAIM_WEIGHTS = (860, 40, 30, 25, 10, 20, 5, 10)
_POLICIES = (
    ("Monetize in all countries", 78),
    ("Monetize in some countries", 6),
    ("Track in all countries", 10),
    ("Block in some countries", 4),
    ("Block in all countries", 2),
)
# Probability of each monetization flag being Yes on a monetized video, in MONETIZATION_FLAGS order.
_FLAG_YES = (0.25, 0.95, 0.7, 0.85, 0.7, 0.4, 0.97, 0.95, 0.85, 0.75)
_FLAGS_OFF = dict.fromkeys(MONETIZATION_FLAGS, "No")
_pick_headers = operator.itemgetter(*CMS_VIDEO_HEADERS)


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Artist:
    name: str
    albums: tuple[tuple[str, str], ...]  # (album title, UPC)


@dataclass(frozen=True, slots=True)
class _Channel:
    channel_id: str
    name: str
    music_share: float
    label: str
    code: str
    registrant: str
    country: str
    artists: tuple[_Artist, ...]
    genres: tuple[str, ...]
    popularity: float
    custom_id_style: int


@dataclass(frozen=True, slots=True)
class _Catalog:
    seed_bits: int
    id_key: int
    channels: tuple[_Channel, ...]
    channel_cum: tuple[float, ...]
    featured: tuple[str, ...]


def _cumulative(weights: Iterable[float]) -> tuple[float, ...]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return tuple(out)


def _weighted(values: Sequence[_T], cum: Sequence[float], u: float) -> _T:
    """Pick from values by a uniform u in [0, 1) against cumulative weights."""
    return values[min(bisect.bisect(cum, u * cum[-1]), len(values) - 1)]


_SUFFIX_CUM = _cumulative(w for _, w in _MUSIC_TITLE_SUFFIXES)
_SUFFIXES = tuple(s for s, _ in _MUSIC_TITLE_SUFFIXES)
_OTHER_CAT_CUM = _cumulative(w for _, w in _OTHER_CATEGORIES)
_OTHER_CAT_NAMES = tuple(CATEGORY_NAMES[cid] for cid, _ in _OTHER_CATEGORIES)
_CLAIM_CUM = _cumulative(_CLAIM_WEIGHTS)
_POLICY_CUM = _cumulative(w for _, w in _POLICIES)
_POLICY_NAMES = tuple(p for p, _ in _POLICIES)
_MUSIC = CATEGORY_NAMES["10"]


def _mix64(x: int) -> int:
    """SplitMix64 finaliser: a bijection on 64-bit integers, so distinct indices give distinct ids."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _video_id(catalog: _Catalog, index: int) -> str:
    # 8 bytes are 11 base64url characters, the same shape as real ids (last one of 16 characters).
    raw = _mix64((index + catalog.id_key) & _MASK64).to_bytes(8, "big")
    return base64.urlsafe_b64encode(raw)[:11].decode("ascii")


def _check_digit(digits: str) -> str:
    """GS1 check digit for a UPC-A / EAN-13 body (11 or 12 digits)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _song(u1: float, u2: float, u3: float) -> str:
    if u1 < 0.35:
        return _SONG_PHRASES[int(u2 * len(_SONG_PHRASES))]
    adjective = _SONG_ADJECTIVES[int(u2 * len(_SONG_ADJECTIVES))]
    noun = _SONG_NOUNS[int(u3 * len(_SONG_NOUNS))]
    return noun if u1 < 0.45 else f"{adjective} {noun}"


def _artist_name(rng: random.Random) -> str:
    u = rng.random()
    if u < 0.5:
        return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
    if u < 0.75:
        return rng.choice(_STAGE_NAMES)
    the = "The " if rng.random() < 0.5 else ""
    return f"{the}{rng.choice(_BAND_ADJECTIVES)} {rng.choice(_BAND_NOUNS)}"


def _make_artist(rng: random.Random, name: str) -> _Artist:
    albums = []
    for _ in range(rng.randint(2, 6)):
        title = _song(rng.random(), rng.random(), rng.random())
        if rng.random() < 0.2:
            title += " (Deluxe Edition)"
        body = "".join(rng.choice("0123456789") for _ in range(11 if rng.random() < 0.6 else 12))
        albums.append((title, body + _check_digit(body)))
    return _Artist(name, tuple(albums))


def _unique(rng: random.Random, make: Callable[[random.Random], str], taken: set[str]) -> str:
    while True:
        value = make(rng)
        if value not in taken:
            taken.add(value)
            return value


def _label_name(rng: random.Random) -> str:
    return f"{rng.choice(_LABEL_WORDS)} {rng.choice(_LABEL_SUFFIXES)}"


def _label_code(label: str) -> str:
    first, *rest = label.split()
    return (first[:3] + "".join(word[0] for word in rest)).upper()


def _make_channel(rng: random.Random, rank: int, names: set[str], artists: set[str]) -> _Channel:
    kind = rng.random()
    # Artist channels are distributed by a label that need not run a channel of its own.
    label = _unique(rng, _label_name, names) if kind < 0.4 else _label_name(rng)
    if kind < 0.4:
        name, music_share, roster = label, 0.9, rng.randint(6, 30)
    elif kind < 0.75:
        artist = _unique(rng, _artist_name, artists)
        name, music_share, roster = f"{artist} VEVO", 0.97, 1
        names.add(name)
    else:
        artist = _unique(rng, _artist_name, artists)
        name = f"{artist} Official" if rng.random() < 0.4 else artist
        music_share, roster = 0.7, 1
        names.add(name)
    roster_names = [artist] if roster == 1 else [_unique(rng, _artist_name, artists) for _ in range(roster)]
    raw = bytes(rng.getrandbits(8) for _ in range(16))
    return _Channel(
        channel_id="UC" + base64.urlsafe_b64encode(raw)[:22].decode("ascii"),
        name=name,
        music_share=music_share,
        label=label,
        code=_label_code(label),
        registrant="".join(rng.choice(_ALNUM) for _ in range(3)),
        country=rng.choice(_COUNTRIES),
        artists=tuple(_make_artist(rng, n) for n in roster_names),
        genres=tuple(rng.sample(_GENRES, rng.randint(1, 3))),
        # Bigger channels also tend to draw more views per video.
        popularity=rng.lognormvariate(0.0, 0.6) * (2.0 if rank < 5 else 1.0),
        custom_id_style=rng.randrange(3),
    )


@lru_cache(maxsize=8)
def _catalog(seed: int) -> _Catalog:
    rng = random.Random(f"catalog-demo:{seed}")
    names: set[str] = set()
    artists: set[str] = set()
    channels = tuple(_make_channel(rng, rank, names, artists) for rank in range(CHANNEL_COUNT))
    # Zipf-like skew: the first channel holds many times the videos of the last.
    cum = _cumulative(1.0 / (rank + 1) ** 0.9 for rank in range(CHANNEL_COUNT))
    featured = tuple(sorted(artists | {_artist_name(rng) for _ in range(200)}))
    return _Catalog(seed & _MASK64, rng.getrandbits(64), channels, cum, featured)


def _rng(catalog: _Catalog, index: int) -> random.Random:
    # Exact integer packing: every (seed, index) pair gets its own Mersenne Twister state.
    return random.Random((index << 64) | catalog.seed_bits)


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


@lru_cache(maxsize=4096)
def _utc_date(day: int) -> tuple[str, int]:
    """ISO date and year of a day number since the epoch (cached: a catalog spans a few thousand days)."""
    moment = time.gmtime(day * 86400)
    return time.strftime("%Y-%m-%d", moment), moment.tm_year


def _fill(template: str, rnd: Callable[[], float], artist: str, song: str, album: str, year: int) -> str:
    """Fill a title template; city, venue and episode number are drawn only when a template needs them."""
    if "{" not in template:
        return template
    return template.format(
        artist=artist,
        song=song,
        album=album,
        year=year,
        city=_CITIES[int(rnd() * len(_CITIES))],
        venue=_VENUES[int(rnd() * len(_VENUES))],
        n=1 + int(rnd() * 60),
    )


def _views(r: random.Random, popularity: float) -> int:
    if r.random() < 0.0005:
        # A rare hit: Pareto tail from a million upwards, capped at a plausible record.
        return min(int(1_000_000 * r.paretovariate(0.8)), 9_000_000_000)
    return int(r.lognormvariate(3.7, 2.2) * popularity)


def _video_row(catalog: _Catalog, index: int, fresh: bool) -> tuple[dict[str, str], random.Random]:
    """Day-one row of a video and its generator, positioned for drawing the next day's changes.

    A fresh video is published during DAY_ONE and has at most a day of views.
    """
    r = _rng(catalog, index)
    rnd = r.random
    channel = _weighted(catalog.channels, catalog.channel_cum, rnd())
    music = rnd() < channel.music_share
    category = _MUSIC if music else _weighted(_OTHER_CAT_NAMES, _OTHER_CAT_CUM, rnd())
    live = rnd() < 0.015
    short = not live and rnd() < 0.075

    if fresh:
        published = _DAY_ONE_EPOCH + int(rnd() * 86400)
    else:
        published = _DAY_ONE_EPOCH - 1 - int(rnd() ** 1.6 * _HISTORY_SECONDS)
    date, year = _utc_date(published // 86400)

    if short:
        length = 6 + int(rnd() * 55)
    elif live:
        length = 1800 + int(rnd() * 12600)
    elif music:
        length = max(95, min(720, int(r.gauss(225.0, 55.0))))
    else:
        length = max(30, min(5400, int(r.lognormvariate(6.0, 0.8))))

    views = _views(r, channel.popularity)
    if fresh:
        views %= 5000
    u = rnd()
    privacy = "public" if u < 0.88 else "unlisted" if u < 0.96 else "private"

    artist = channel.artists[int(rnd() * len(channel.artists))]
    album, upc = artist.albums[int(rnd() * len(artist.albums))]
    song = _song(rnd(), rnd(), rnd())
    feat = catalog.featured[int(rnd() * len(catalog.featured))] if rnd() < 0.12 else ""
    if feat == artist.name:
        feat = ""
    if live:
        title = _fill(_LIVE_TITLES[int(rnd() * len(_LIVE_TITLES))], rnd, artist.name, song, album, year)
    elif short:
        title = _fill(_SHORT_TITLES[int(rnd() * len(_SHORT_TITLES))], rnd, artist.name, song, album, year)
    elif music:
        featuring = f" (feat. {feat})" if feat else ""
        suffix = _fill(_weighted(_SUFFIXES, _SUFFIX_CUM, rnd()), rnd, artist.name, song, album, year)
        title = f"{artist.name} - {song}{featuring}{suffix}"
    else:
        title = _fill(_OTHER_TITLES[int(rnd() * len(_OTHER_TITLES))], rnd, artist.name, song, album, year)

    clock = published % 86400
    row = {
        "video_id": _video_id(catalog, index),
        "channel_id": channel.channel_id,
        "channel_display_name": channel.name,
        "time_published": f"{date}T{clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}Z",
        "video_title": title[:_TITLE_MAX],
        "video_length": str(length),
        "views": str(views),
        "category": category,
        "privacy_status": privacy,
        "asset_id": "",
        "custom_id": "",
        "isrc": "",
        "upc": "",
        "artist": "",
        "album": "",
        "label": "",
        "genre": "",
        "claimed_status": "",
        "claimed_by_another_owner": "No",
        "other_owners_claiming": "",
        "effective_policy": "",
    }

    if music:
        genres = channel.genres if len(channel.genres) == 1 or rnd() < 0.3 else channel.genres[:1]
        row["artist"] = f"{artist.name}|{feat}" if feat else artist.name
        row["album"] = album
        row["label"] = channel.label
        row["genre"] = "|".join(genres)
        if rnd() < 0.97:
            designation = _mix64(index ^ catalog.id_key) % 100_000
            row["isrc"] = f"{channel.country}{channel.registrant}{year % 100:02d}{designation:05d}"
        if rnd() < 0.92:
            row["upc"] = upc

    monetized = False
    if rnd() < (0.93 if music else 0.5):
        digits = 12 + int(rnd() * 4)
        row["asset_id"] = f"A{10 ** (digits - 1) + int(rnd() * 9 * 10 ** (digits - 1))}"
        status = _weighted(CLAIM_STATUSES, _CLAIM_CUM, rnd())
        policy = _weighted(_POLICY_NAMES, _POLICY_CUM, rnd())
        row["claimed_status"] = status
        row["effective_policy"] = "Block in all countries" if status == "takedown" else policy
        monetized = status == "active" and policy.startswith("Monetize")
        if rnd() < (0.9 if music else 0.3):
            row["custom_id"] = _custom_id(channel, music, year, index)
    if rnd() < 0.03:
        owners = {_OTHER_OWNERS[int(rnd() * len(_OTHER_OWNERS))] for _ in range(1 + int(rnd() * 3))}
        row["claimed_by_another_owner"] = "Yes"
        row["other_owners_claiming"] = "|".join(sorted(owners))

    if monetized:
        for flag, p_yes in zip(MONETIZATION_FLAGS, _FLAG_YES, strict=True):
            row[flag] = "Yes" if rnd() < p_yes else "No"
        if length < 480:
            row["midrolls_enabled"] = "No"
    else:
        row.update(_FLAGS_OFF)
    row["embedding_allowed"] = _yes(rnd() < 0.95)
    row["ratings_allowed"] = _yes(rnd() < 0.97)
    row["comments_allowed"] = _yes(rnd() < 0.85)
    row["is_short"] = _yes(short)
    row["is_live_stream"] = _yes(live)
    row["upload_source"] = "live_stream" if live else "upload"
    return row, r


def _custom_id(channel: _Channel, music: bool, year: int, index: int) -> str:
    serial = _mix64(index + 0x5EED) % 1_000_000
    if not music:
        return f"{channel.code}-WEB-{serial:06d}"
    if channel.custom_id_style == 0:
        return f"{channel.code}{year % 100:02d}{serial:06d}"
    if channel.custom_id_style == 1:
        return f"{channel.code}-{serial // 100:04d}-{serial % 100:02d}"
    return f"{channel.code}_{year}_{serial:06d}"


def _retitle(title: str, u: float) -> str:
    suffixes = [s for s in _RETITLE_SUFFIXES if not title.endswith(s)]
    suffix = suffixes[int(u * len(suffixes))]
    return title[: _TITLE_MAX - len(suffix)] + suffix


def _next_day_changes(row: dict[str, str], r: random.Random) -> dict[str, str]:
    """Apply the next day's changes to a day-one row, drawing from that row's generator (views only grow)."""
    u_views, u_title, u_privacy, u_claim, a, b = (r.random() for _ in range(6))
    if u_views < _VIEWS_GREW:
        views = int(row["views"])
        row["views"] = str(views + 1 + int(a * (20 + views * 0.02)))
    if u_title < _TITLE_CHANGED:
        row["video_title"] = _retitle(row["video_title"], b)
    if u_privacy < _PRIVACY_CHANGED:
        others = [p for p in PRIVACY_STATUSES if p != row["privacy_status"]]
        row["privacy_status"] = others[int(b * len(others))]
    if u_claim < _CLAIM_CHANGED and row["claimed_status"]:
        others = [s for s in CLAIM_STATUSES if s != row["claimed_status"]]
        row["claimed_status"] = others[int(a * len(others))]
    return row


def new_video_count(videos: int) -> int:
    """How many brand-new videos the next day appends to a catalog of `videos` (about 1%, at least one)."""
    return (videos + 99) // 100


def _check_count(videos: int) -> None:
    if videos < 0:
        raise ValueError(f"videos must be >= 0, got {videos}")


def iter_day_one(videos: int, seed: int) -> Iterator[dict[str, str]]:
    """Yield day-one CMS Videos rows (string values keyed by CMS_VIDEO_HEADERS) for indices 0..videos-1."""
    _check_count(videos)
    catalog = _catalog(seed)
    for index in range(videos):
        yield _video_row(catalog, index, fresh=False)[0]


def iter_next_day(videos: int, seed: int) -> Iterator[dict[str, str]]:
    """Yield the next day's rows: every day-one video with its changes, then ~1% new videos appended."""
    _check_count(videos)
    catalog = _catalog(seed)
    for index in range(videos):
        yield _next_day_changes(*_video_row(catalog, index, fresh=False))
    for index in range(videos, videos + new_video_count(videos)):
        yield _video_row(catalog, index, fresh=True)[0]


class _ChunkedSink:
    """File-like text sink that encodes rows in large chunks and writes them on one worker thread.

    zlib releases the GIL while deflating, so compression runs on a second core while rows are generated.
    At most one chunk waits for the worker, which bounds memory.
    """

    def __init__(self, binary: BinaryIO, pool: ThreadPoolExecutor) -> None:
        self._binary = binary
        self._pool = pool
        self._parts: list[str] = []
        self._size = 0
        self._pending: Future | None = None

    def write(self, text: str) -> int:
        """Buffer text; hand a chunk to the worker once enough has accumulated."""
        self._parts.append(text)
        self._size += len(text)
        if self._size >= _CHUNK_CHARS:
            self.flush()
        return len(text)

    def flush(self) -> None:
        """Submit buffered text for writing (ordered: one worker) and wait for the previous chunk."""
        data = "".join(self._parts).encode("utf-8")
        self._parts, self._size = [], 0
        if self._pending is not None:
            self._pending.result()
        self._pending = self._pool.submit(self._binary.write, data)

    def finish(self) -> None:
        """Write whatever is buffered and wait until every chunk reached the binary stream."""
        self.flush()
        if self._pending is not None:
            self._pending.result()


def write_report(path: Path, rows: Iterable[dict[str, str]]) -> int:
    """Write rows as a CMS Videos CSV (gzip when the name ends in .gz) and return the number of data rows.

    UTF-8 without BOM, one header row, standard double-quote escaping, "\\n" line ends; the gzip header
    carries mtime 0 so identical rows give identical bytes. Missing keys are written as empty cells.
    """
    path = Path(path)
    count = 0
    with ExitStack() as stack:
        binary: BinaryIO = stack.enter_context(path.open("wb"))
        if path.suffix == ".gz":
            binary = stack.enter_context(gzip.GzipFile(fileobj=binary, mode="wb", mtime=0, compresslevel=6))
        sink = _ChunkedSink(binary, stack.enter_context(ThreadPoolExecutor(max_workers=1)))
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(CMS_VIDEO_HEADERS)
        for row in rows:
            try:
                values = _pick_headers(row)
            except KeyError:
                values = [row.get(name, "") for name in CMS_VIDEO_HEADERS]
            writer.writerow(values)
            count += 1
        sink.finish()
    return count


def write_demo_reports(out_dir: Path, videos: int, seed: int) -> list[Path]:
    """Write the day-one and next-day CMS Videos reports as gzip CSV into out_dir; return both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    day_one = out_dir / f"cms_videos_{DAY_ONE}.csv.gz"
    next_day = out_dir / f"cms_videos_{NEXT_DAY}.csv.gz"
    write_report(day_one, iter_day_one(videos, seed))
    write_report(next_day, iter_next_day(videos, seed))
    return [day_one, next_day]
