"""Facet counts and the total of a grid view, exact when that is cheap and estimated when it is not.

A facet's counts ignore the facet's own selection (picking "private" still shows how many are public),
so every count is taken over S, the videos matching the non-facet conditions (search, channel ids,
ranges and, for people who cannot see hidden videos, `hidden = false`), with the other facets'
conditions applied as filters. One statement does it all: S is read once into a CTE with one boolean
column per active facet, then grouped per facet.

When the planner expects S to hold at most EXACT_ROWS videos, S is read whole (at most EXACT_CAP rows;
past that the estimate was wrong and the sample is used) and the counts are exact. Otherwise they come
from a block sample of about SAMPLE_ROWS rows (`TABLESAMPLE SYSTEM … REPEATABLE`, so they do not jitter
between refreshes), scaled to the table and marked as estimates. The total is exact when it is small
(at most COUNT_LIMIT) and the planner expects counting it to be cheap; otherwise it is the estimate,
shown as "about N".

The ranges (published between, views between) have counts too, per bucket: the UTC year of publication
and the views band (0–99, 100–999, 1k–9.9k…, keyed by the number of digits, 0 for under 100). Like a
facet's, a range's counts ignore its own condition: when the range is not set they come from the same
statement, and when it is, from one more statement over the filter without it (exact or sampled by the
same rule).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Select
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services.grid_view import CHOICE_FACETS, VALUE_FACETS, VideoFilter
from catalog_ui.services.video_search import (
    CHOICE_VALUES,
    base_clauses,
    bounded_count_query,
    facet_clauses,
    filter_clauses,
    hidden_clause,
)

EXACT_ROWS = 10_000
EXACT_CAP = 40_000
SAMPLE_ROWS = 5_000
COUNT_LIMIT = 10_000
COUNT_COST_LIMIT = 20_000.0  # planner cost units: ~5,000 random page reads; a million-row scan is ~80,000
SAMPLE_SEED = 7
MAX_OPTIONS = 200
HIDDEN = "hidden"

V = Video.__table__.c
RANGE_FACETS = ("published", "views")
VIEWS_BAND_DIGITS = 3  # views under 100 share the first band, keyed 0; then one band per number of digits


def range_bucket(facet: str, columns: Any = V) -> ColumnElement[Any]:
    """The bucket of range `facet` of a row: its UTC publication year, or its views band (NULL: no value)."""
    if facet == "published":
        return cast(func.extract("year", func.timezone("UTC", columns.time_published)), Integer)
    digits = func.length(cast(columns.views, String))
    return case((columns.views < 10 ** (VIEWS_BAND_DIGITS - 1), 0), else_=digits)


def range_is_set(flt: VideoFilter, facet: str) -> bool:
    """Whether the filter narrows range `facet`."""
    if facet == "published":
        return bool(flt.published_from or flt.published_to)
    return flt.views_min is not None or flt.views_max is not None


def without_range(flt: VideoFilter, facet: str) -> VideoFilter:
    """`flt` without range `facet`'s condition."""
    if facet == "published":
        return replace(flt, published_from=None, published_to=None)
    return replace(flt, views_min=None, views_max=None)


@dataclass(frozen=True)
class Total:
    """How many videos a view matches; `exact` False means an estimate ("about N")."""

    value: int
    exact: bool


@dataclass(frozen=True)
class GridSummary:
    """A view's total and facet counts: `facets[facet][value] = count` ('true'/'false' for yes/no facets)."""

    total: Total
    facets: dict[str, dict[str, int]]
    exact: bool  # the facet counts are exact (else scaled from a sample)
    # Per range facet, count per bucket (`range_bucket`, as text); exact or scaled like the facets.
    ranges: dict[str, dict[str, int]]
    ranges_exact: bool


@dataclass(frozen=True)
class _Counts:
    """What one facet statement found: counts by facet and value, the total, and whether exact."""

    facets: dict[str, dict[str, int]]
    total: int
    exact: bool


def table_rows_estimate(session: Session) -> int:
    """The planner's row count of `video` (-1 when the table was never analyzed)."""
    value = session.execute(
        text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'video'::regclass")
    ).scalar()
    return int(value) if value is not None else -1


def _plan(session: Session, statement: Select) -> dict[str, Any]:
    compiled = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True})
    plan = session.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]


def planner_rows(session: Session, where: Sequence[ColumnElement[bool]]) -> int:
    """The planner's estimate of how many videos match `where` (an EXPLAIN: no rows are read)."""
    return int(_plan(session, select(literal(1)).select_from(Video.__table__).where(*where))["Plan Rows"])


def cheap_count(session: Session, where: Sequence[ColumnElement[bool]], limit: int) -> int | None:
    """`bounded_count` when the planner expects it to be cheap (an index narrows it), else None.

    A rare combination of unindexed facets would otherwise read the whole table to find out.
    """
    query = bounded_count_query(where, limit)
    if _plan(session, query)["Total Cost"] > COUNT_COST_LIMIT:
        return None
    return int(session.execute(query).scalar_one())


def summarize(session: Session, flt: VideoFilter, *, can_see_hidden: bool) -> GridSummary:
    """Total, facet and range counts of `flt` as `can_see_hidden` (admins) or not may see it."""
    flt = flt.for_viewer(can_see_hidden)
    active = facet_clauses(flt)
    if can_see_hidden:
        hidden = hidden_clause(flt.hidden)
        if hidden is not None:
            active[HIDDEN] = hidden

    table_rows = table_rows_estimate(session)
    if table_rows < 0:  # never analyzed (a fresh catalog): the planner still sizes it from its pages
        table_rows = planner_rows(session, [])
    open_ranges = [r for r in RANGE_FACETS if not range_is_set(flt, r)]
    main = _count(session, flt, active, can_see_hidden, table_rows, ranges=open_ranges)
    facets = {f: counts for f, counts in main.facets.items() if f not in RANGE_FACETS}
    ranges = {r: main.facets.get(r, {}) for r in open_ranges}
    ranges_exact = main.exact
    for facet in RANGE_FACETS:
        if facet not in ranges:  # set: counted over the filter without it
            own = _count(
                session,
                without_range(flt, facet),
                active,
                can_see_hidden,
                table_rows,
                ranges=[facet],
                facets=False,
            )
            ranges[facet] = own.facets.get(facet, {})
            ranges_exact = ranges_exact and own.exact
    _keep_selected(facets, flt)

    if main.exact:
        total = Total(main.total, True)
    elif (
        main.total <= COUNT_LIMIT
        and (counted := cheap_count(session, filter_clauses(flt), COUNT_LIMIT)) is not None
    ):
        exact_total = counted <= COUNT_LIMIT
        total = Total(counted, True) if exact_total else Total(max(main.total, counted), False)
    else:
        total = Total(main.total, False)
    return GridSummary(total=total, facets=facets, exact=main.exact, ranges=ranges, ranges_exact=ranges_exact)


def _count(
    session: Session,
    flt: VideoFilter,
    active: dict[str, ColumnElement[bool]],
    can_see_hidden: bool,
    table_rows: int,
    *,
    ranges: Sequence[str] = (),
    facets: bool = True,
) -> _Counts:
    """Run the facet statement of `flt` exactly when its videos are few, else on a sample (scaled)."""
    base = base_clauses(flt, with_hidden=not can_see_hidden)
    selective_base = bool(flt.q or flt.channel_ids) or any(range_is_set(flt, r) for r in RANGE_FACETS)
    expected = planner_rows(session, base) if selective_base else table_rows
    raw = None
    if expected <= EXACT_ROWS:
        statement = facet_statement(
            base, active, can_see_hidden, limit=EXACT_CAP, ranges=ranges, facets=facets
        )
        raw = _counts(session, statement, dict(flt.values))
        if raw["_rows"].get("", 0) > EXACT_CAP:
            raw = None
    exact = raw is not None
    percent = 100.0
    if raw is None:
        percent = 100.0 * SAMPLE_ROWS / table_rows if table_rows > SAMPLE_ROWS else 100.0
        table = _sample(percent)
        sample_base = base_clauses(flt, with_hidden=not can_see_hidden, sample=table)
        statement = facet_statement(
            sample_base, active, can_see_hidden, sample=table, ranges=ranges, facets=facets
        )
        raw = _counts(session, statement, dict(flt.values))
    rows_read = raw.pop("_rows").get("", 0)
    scale = table_rows / rows_read if percent < 100.0 and rows_read else 1.0
    total = round(raw.pop("_total", {}).get("", 0) * scale)
    scaled = {
        facet: {value: round(n * scale) for value, n in counts.items()} for facet, counts in raw.items()
    }
    return _Counts(facets=scaled, total=total, exact=exact)


def _keep_selected(facets: dict[str, dict[str, int]], flt: VideoFilter) -> None:
    for facet, selected in flt.values:
        for value in selected:
            facets.setdefault(facet, {}).setdefault(value, 0)


def _counts(
    session: Session, statement: Select, selected: dict[str, tuple[str, ...]]
) -> dict[str, dict[str, int]]:
    """Counts by facet and value; a value facet keeps its MAX_OPTIONS biggest values and those `selected`."""
    counts: dict[str, dict[str, int]] = {"_rows": {}}
    for facet, value, n, payload in session.execute(statement):
        if facet == "_choices":
            for key, count in json.loads(payload).items():
                name, _, answer = key.rpartition(":")
                if count:
                    counts.setdefault(name, {})[answer] = int(count)
        else:
            counts.setdefault(facet, {})[value if value is not None else ""] = int(n)
    for facet, options in list(counts.items()):
        if facet in VALUE_FACETS and len(options) > MAX_OPTIONS:
            kept = dict(sorted(options.items(), key=lambda item: (-item[1], item[0]))[:MAX_OPTIONS])
            kept.update({value: options[value] for value in selected.get(facet, ()) if value in options})
            counts[facet] = kept
    return counts


def _sample(percent: float) -> Any:
    return Video.__table__.tablesample(func.system(percent), name="sampled", seed=literal(SAMPLE_SEED))


def facet_statement(
    base: Sequence[ColumnElement[bool]],
    active: dict[str, ColumnElement[bool]],
    can_see_hidden: bool,
    *,
    sample: Any = None,
    limit: int | None = None,
    ranges: Sequence[str] = (),
    facets: bool = True,
) -> Select:
    """The one statement that counts every facet (see the module docstring), and the buckets of `ranges`
    (none of them may be in `base`); `facets` False leaves the value and yes/no facets out.

    With `sample` (a TABLESAMPLE alias of `video`; `base` written for it), every sampled row is read and
    `f_base` tells whether it is in S; without, S is read through the indexes, at most `limit` + 1 rows.
    The `_rows` line counts the rows read (the sample's size, or whether `limit` was passed).
    """
    value_facets = list(VALUE_FACETS) if facets else []
    choice_facets = ([*CHOICE_FACETS, HIDDEN] if can_see_hidden else list(CHOICE_FACETS)) if facets else []
    choice_values = {**CHOICE_VALUES, HIDDEN: V.hidden}
    source: Any = sample if sample is not None else Video.__table__
    c = source.c
    columns: list[ColumnElement[Any]] = [c[VALUE_FACETS[facet]].label(facet) for facet in value_facets]
    columns += [_adapt(choice_values[facet], source).label(facet) for facet in choice_facets]
    columns += [
        func.coalesce(_adapt(cond, source), False).label(f"f_{name}") for name, cond in active.items()
    ]
    columns += [range_bucket(facet, c).label(f"r_{facet}") for facet in ranges]
    rows = select(*columns).select_from(source)
    if sample is None:
        rows = rows.where(*base)
        if limit is not None:
            rows = rows.limit(limit + 1)
    else:
        rows = rows.add_columns(func.coalesce(and_(true(), *base), False).label("f_base"))
    s = rows.cte("s")

    def others(facet: str | None) -> list[ColumnElement[bool]]:
        conditions = [s.c[f"f_{name}"] for name in active if name != facet]
        return [s.c.f_base, *conditions] if sample is not None else conditions

    def where_all(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
        return and_(true(), *conditions)

    parts: list[Select] = []
    for facet in ranges:
        bucket = cast(s.c[f"r_{facet}"], String)
        parts.append(
            select(literal(facet), bucket, func.count(), literal(None, String))
            .where(*others(None), s.c[f"r_{facet}"].is_not(None))
            .group_by(bucket)
        )
    for facet in value_facets:
        value = cast(s.c[facet], String)
        parts.append(
            select(
                literal(facet).label("facet"),
                value.label("value"),
                func.count().label("n"),
                literal(None, String).label("payload"),
            )
            .where(*others(facet))
            .group_by(value)
        )
    if facets:
        pairs: list[ColumnElement[Any]] = []
        for facet in choice_facets:
            for answer, test in (("true", s.c[facet].is_(True)), ("false", s.c[facet].is_(False))):
                pairs += [
                    literal(f"{facet}:{answer}"),
                    func.count().filter(and_(where_all(others(facet)), test)),
                ]
        choices = cast(func.jsonb_build_object(*pairs), String)
        parts.append(select(literal("_choices"), literal(None, String), literal(0), choices))
        total = func.count().filter(where_all(others(None)))
        parts.append(select(literal("_total"), literal(""), total, literal(None, String)))
    parts.append(select(literal("_rows"), literal(""), func.count(), literal(None, String)))
    return union_all(*(part.select_from(s) for part in parts))


def _adapt(clause: ColumnElement[Any], source: Any) -> ColumnElement[Any]:
    """`clause` written against `video` re-pointed at `source` (the sampled alias)."""
    if source is Video.__table__:
        return clause
    return ClauseAdapter(source).traverse(clause)
