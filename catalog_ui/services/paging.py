"""Page arithmetic shared by every paged list."""


def page_count(total: int, per_page: int) -> int:
    """How many pages of `per_page` rows `total` rows fill (at least 1, so an empty list has a page)."""
    return max(1, -(-total // per_page))
