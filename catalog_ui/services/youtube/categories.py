"""YouTube video category ids and their names (the `videoCategories` list for the US region).

Reports carry either the name (`Music`) or the numeric id (`10`); the Data API carries the id as a string.
The catalog stores the name.
"""

CATEGORY_NAMES: dict[str, str] = {
    "1": "Film & Animation",
    "2": "Autos & Vehicles",
    "10": "Music",
    "15": "Pets & Animals",
    "17": "Sports",
    "18": "Short Movies",
    "19": "Travel & Events",
    "20": "Gaming",
    "21": "Videoblogging",
    "22": "People & Blogs",
    "23": "Comedy",
    "24": "Entertainment",
    "25": "News & Politics",
    "26": "Howto & Style",
    "27": "Education",
    "28": "Science & Technology",
    "29": "Nonprofits & Activism",
    "30": "Movies",
    "31": "Anime/Animation",
    "32": "Action/Adventure",
    "33": "Classics",
    "35": "Documentary",
    "36": "Drama",
    "37": "Family",
    "38": "Foreign",
    "39": "Horror",
    "40": "Sci-Fi/Fantasy",
    "41": "Thriller",
    "42": "Shorts",
    "43": "Shows",
    "44": "Trailers",
}

CATEGORY_IDS: dict[str, str] = {name.lower(): cid for cid, name in CATEGORY_NAMES.items()}


def category_name(value: str | None) -> str | None:
    """Return the category name for an id or a name (any case); unknown names pass through unchanged."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text in CATEGORY_NAMES:
        return CATEGORY_NAMES[text]
    known = CATEGORY_IDS.get(text.lower())
    return CATEGORY_NAMES[known] if known else text
