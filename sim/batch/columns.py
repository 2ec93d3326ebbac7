"""A run's tables as plain columns, made into DataFrames a group of runs at a time.

A worker turns its finished model into columns (Python lists or numpy arrays, no pandas: cheap to
build and to send back), and the batch process builds one DataFrame per table for a whole group of
runs (:mod:`sim.batch.parts`), instead of a DataFrame per run and table and a concatenation.

Text a run repeats on many rows (its incidents' villages, districts and kinds) comes as
:class:`CodedText`: codes into a short list of texts, so no Python string is made per row.

With pyarrow installed, a group of plain tables is built as an Arrow table (:class:`Piece`), which
costs a fraction of a DataFrame's building from Python lists of text, is written as a part without
pandas' conversion, and is joined and reordered in Arrow before it becomes one DataFrame at the end.

The group's frame is the same, value for value and type for type, as each run's own table
concatenated (what the batch built before): runs share a frame only when they have the same columns
and every column holds values of one plain kind (:data:`PLAIN_KINDS`: a Python or numpy float, int,
bool or str, or a numeric numpy array), for which pandas infers the same type for the group as for
each run. Anything else (a model or subclass that overrides its tables, an empty table, values of
mixed kinds) keeps the run's own DataFrame, built as before.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.recorder import INCIDENT_COLUMNS

#: the type pandas infers for a column whose values are all of one of these Python or numpy types
PLAIN_KINDS: dict[type, str] = {float: "float64", np.float64: "float64", int: "int64", np.int64: "int64",
                                bool: "bool", np.bool_: "bool", str: "str"}
INT64 = np.iinfo(np.int64)
#: rows a span of runs in plan order must have on average for a table to be reordered by slicing spans
SPAN_ROWS = 256
#: the village columns a batch keeps, with the ``village_frame`` column each comes from
VILLAGE_COLUMNS = {"village": "name", "x": "x", "y": "y", "zone": "zone", "district": "district",
                   "influence": "influence", "trust": "trust", "stronghold_score": "stronghold_score"}


@dataclass(frozen=True)
class CodedText:
    """A text column as codes into ``texts``: row ``i`` holds ``texts[codes[i]]``."""

    codes: np.ndarray
    texts: list[str]

    def __len__(self) -> int:
        return len(self.codes)

    def tolist(self) -> list[str]:
        """The column's text, a string a row."""
        texts = self.texts
        return [texts[i] for i in self.codes.tolist()]


def kind_of(values: Any) -> str | None:
    """The type pandas gives a column of ``values`` when it is plain (see the module), else None."""
    if isinstance(values, CodedText):
        return "str" if set(map(type, values.texts)) == {str} else None
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            return None
        return "str" if values.dtype.kind == "U" else dtype_name(values.dtype) if values.dtype.kind in "biuf" else None
    kinds = {PLAIN_KINDS.get(t) for t in set(map(type, values))}
    if len(kinds) != 1 or None in kinds:
        return None
    kind = kinds.pop()
    if kind == "int64" and not (INT64.min <= min(values) and max(values) <= INT64.max):
        return None  # pandas would make it unsigned or object
    return kind


@functools.cache
def dtype_name(dtype: np.dtype) -> str:
    """``str(dtype)``, made once per type (numpy makes it in Python, each time)."""
    return str(dtype)


def value_kind(value: Any) -> str | None:
    """``kind_of([value])``, without making a list (a run's ids, for each of its tables)."""
    kind = PLAIN_KINDS.get(type(value))
    return None if kind == "int64" and not INT64.min <= value <= INT64.max else kind


@dataclass
class RunTable:
    """One run's table: plain columns with their kinds, or (when not plain) the run's own DataFrame."""

    columns: dict[str, Any]
    n_rows: int
    kinds: tuple[str, ...] | None = None
    frame: pd.DataFrame | None = None

    @classmethod
    def of_columns(cls, columns: dict[str, Any]) -> RunTable | None:
        """A table from columns of equal length, or None if it has no rows or a column is not plain."""
        n_rows = len(next(iter(columns.values()))) if columns else 0
        if not n_rows or any(len(v) != n_rows for v in columns.values()):
            return None
        kinds = tuple(kind_of(v) for v in columns.values())
        return None if None in kinds else cls(columns, n_rows, kinds)  # type: ignore[arg-type]

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> RunTable:
        """A table kept as the DataFrame it is."""
        return cls({}, len(frame), None, frame)

    def frame_with(self, ids: dict[str, Any]) -> pd.DataFrame:
        """The run's own DataFrame, the run's ids first (as the batch built it for each run)."""
        body = self.frame if self.frame is not None else pd.DataFrame(
            {k: list(v) if isinstance(v, tuple) else v.tolist() if isinstance(v, CodedText) else v
             for k, v in self.columns.items()})
        return pd.concat([pd.DataFrame({k: [v] * len(body) for k, v in ids.items()}, index=body.index), body], axis=1)


def monthly_rows(rows: list[dict[str, Any]]) -> RunTable:
    """The monthly table from its rows (one dict a month, all with the same keys in the same order)."""
    names = tuple(rows[0]) if rows else ()
    plain = None
    if rows and all(tuple(r) == names for r in rows):
        columns = dict(zip(names, zip(*(r.values() for r in rows), strict=True), strict=True))
        types = {tuple(map(type, r.values())) for r in rows}
        if len(types) == 1:  # each column of one type, as a month's rows are: its kind read once, not a row at a time
            kinds = tuple(PLAIN_KINDS.get(t) for t in types.pop())
            if None not in kinds and all(kind != "int64" or (INT64.min <= min(v) and max(v) <= INT64.max)
                                         for kind, v in zip(kinds, columns.values(), strict=True)):
                return RunTable(columns, len(rows), kinds)  # type: ignore[arg-type]
        plain = RunTable.of_columns(columns)
    return plain or RunTable.of_frame(pd.DataFrame(rows))  # as the model's monthly_frame()


def is_stock(model: Any, name: str) -> bool:
    """Whether ``model.name`` is ``InsurgencyModel``'s own method (not overridden by a subclass or a test)."""
    from sim.model import InsurgencyModel

    return (isinstance(model, InsurgencyModel) and name not in vars(model)
            and getattr(type(model), name) is getattr(InsurgencyModel, name))


def run_tables(model: Any) -> dict[str, RunTable]:
    """What a batch keeps of a finished model: its monthly, villages and (if it has them) incidents tables.

    Read from the model's records directly when its table methods are ``InsurgencyModel``'s own (the
    same values those methods would put in a DataFrame); through the methods otherwise.
    """
    if is_stock(model, "monthly_frame"):
        tables = {"monthly": monthly_rows(model.recorder.monthly)}
    else:
        tables = {"monthly": RunTable.of_frame(model.monthly_frame())}
    zakat = np.asarray(model.zakat_by_village, dtype=float)
    villages = None
    if is_stock(model, "village_frame"):
        v, w = model.villages, model.world
        each = np.arange(len(w.village_names))
        villages = RunTable.of_columns({
            "village": CodedText(each, list(w.village_names)), "x": v.x.copy(), "y": v.y.copy(),
            "zone": CodedText(each, w.zone_of.tolist()), "district": CodedText(each, w.district_of.tolist()),
            "influence": v.influence.copy(), "trust": v.trust.copy(),
            "stronghold_score": model.mechanisms.strongholds.score(), "zakat_usd": zakat})
    if villages is None:
        frame = model.village_frame()
        villages = RunTable.of_frame(pd.DataFrame({**{k: frame[c] for k, c in VILLAGE_COLUMNS.items()},
                                                   "zakat_usd": zakat}))
    tables["villages"] = villages
    incidents = None
    if is_stock(model, "incident_frame") and (codes := model.recorder.incident_codes()) is not None:
        incidents = RunTable.of_columns({k: CodedText(*codes[k]) if isinstance(codes[k], tuple) else codes[k]
                                         for k in INCIDENT_COLUMNS})
    if incidents is None and hasattr(model, "incident_frame"):  # per village and month, once the model offers it
        incidents = RunTable.of_frame(model.incident_frame())
    if incidents is not None:
        tables["incidents"] = incidents
    return tables


@dataclass
class Piece:
    """The rows of several runs, one after the other, with their ids and row counts: a DataFrame, or an
    Arrow table (plain columns, with pyarrow installed) whose :attr:`frame` is the same rows."""

    rows: Any  # a pandas DataFrame or a pyarrow Table
    run_ids: list[str]
    n_rows: list[int]

    @property
    def arrow(self) -> Any:
        """The rows as an Arrow table, or None when they are a DataFrame."""
        return None if isinstance(self.rows, pd.DataFrame) else self.rows

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame."""
        return self.rows if self.arrow is None else self.rows.to_pandas()


def plain_table(data: dict[str, Any], kinds: dict[str, str]) -> Any:
    """Columns of plain ``kinds`` (:func:`joined`) as one table: an Arrow table when pyarrow is
    installed (text as Arrow's large strings, which pandas' ``str`` type holds), else a DataFrame."""
    try:
        import pyarrow as pa
    except ImportError:
        return pd.DataFrame(data)
    return pa.table({k: pa.array(v, pa.large_string()) if kinds[k] == "str" and not isinstance(v, pa.Array) else v
                     for k, v in data.items()})


def group_frames(members: list[tuple[str, dict[str, Any], RunTable]]) -> list[Piece]:
    """One DataFrame per set of column names and types among ``members`` (run id, ids, table), in order.

    Plain tables are joined column by column and made into one DataFrame; the others are the runs'
    own DataFrames concatenated (grouped by their columns' names and dtypes, so no type changes).
    """
    groups: dict[tuple, list[tuple[str, dict[str, Any], RunTable]]] = {}
    own: dict[str, pd.DataFrame] = {}
    for run_id, ids, table in members:
        id_kinds = tuple(map(value_kind, ids.values()))
        if table.kinds is not None and table.n_rows and None not in id_kinds:
            key: tuple = ("plain", *zip(ids, id_kinds, strict=True), *zip(table.columns, table.kinds, strict=True))
        else:
            own[run_id] = frame = table.frame_with(ids)
            key = ("frame", *zip(frame.columns, map(str, frame.dtypes), strict=True))
        groups.setdefault(key, []).append((run_id, ids, table))
    pieces = []
    for key, group in groups.items():
        if key[0] == "plain":
            counts = [t.n_rows for _, _, t in group]
            data = {k: repeated([ids[k] for _, ids, _ in group], counts, kind)
                    for k, kind in key[1:1 + len(group[0][1])]}
            for name, kind in key[1 + len(group[0][1]):]:
                data[name] = joined([t.columns[name] for _, _, t in group], kind)
            frame = plain_table(data, dict(key[1:]))
        else:
            frame = pd.concat([own[run_id] for run_id, _, _ in group], ignore_index=True)
        pieces.append(Piece(frame, [run_id for run_id, _, _ in group], [t.n_rows for _, _, t in group]))
    return pieces


def joined(parts: list[Any], kind: str) -> Any:
    """Columns of one plain kind, end to end: text as one list (coded text, with pyarrow installed, as an
    Arrow array: :func:`coded_joined`), numbers as one array of their type (what pandas would infer from
    the values, found without looking at each one)."""
    if kind == "str":
        if all(isinstance(p, CodedText) for p in parts) and (arrow := coded_joined(parts)) is not None:
            return arrow
        return list(itertools.chain.from_iterable(p.tolist() if isinstance(p, np.ndarray | CodedText) else p
                                                  for p in parts))
    if not any(isinstance(p, np.ndarray) for p in parts):
        return np.array(list(itertools.chain.from_iterable(parts)), dtype=kind)
    return np.concatenate([np.asarray(p, dtype=kind) for p in parts])


def coded_joined(parts: list[CodedText]) -> Any:
    """Coded text columns end to end as one Arrow array of large strings (None without pyarrow): the
    texts converted once (once in all when every part has the same texts, as a batch's runs of one map
    do), then taken by code."""
    try:
        import pyarrow as pa
    except ImportError:
        return None
    first = parts[0].texts
    if all(p.texts is first or p.texts == first for p in parts):
        return pa.array(first, pa.large_string()).take(np.concatenate([p.codes for p in parts]))
    offsets = np.cumsum([0, *(len(p.texts) for p in parts[:-1])])
    texts = list(itertools.chain.from_iterable(p.texts for p in parts))
    return pa.array(texts, pa.large_string()).take(np.concatenate([p.codes + at for p, at in zip(parts, offsets,
                                                                                                 strict=True)]))


def arrow_in_plan_order(tables: list[Any], pieces: list[Piece], position: dict[str, int]) -> pd.DataFrame:
    """Arrow ``tables`` (the ``pieces``' rows, one schema) as one frame in plan order.

    The rows are cut into spans of runs that follow each other in the plan (workers finish runs
    nearly in order), the spans sorted and joined without copying; pandas makes one block per column
    of them (the text stays in its Arrow chunks: the tables written are the same, byte for byte).
    When spans are short (a few rows a run, or runs finishing out of order) the rows are gathered by
    index instead (``take``): slicing costs per span, gathering per row.
    """
    import pyarrow as pa

    spans: list[list[int]] = []  # [plan position of the first run, of the last, table, first row, rows]
    for i, piece in enumerate(pieces):
        start = 0
        for run_id, n in zip(piece.run_ids, piece.n_rows, strict=True):
            at = position.get(run_id)
            if at is not None:
                last = spans[-1] if spans else None
                if last is not None and last[2] == i and last[1] == at - 1 and last[3] + last[4] == start:
                    last[1], last[4] = at, last[4] + n
                else:
                    spans.append([at, at, i, start, n])
            start += n
    spans.sort()
    if len(spans) * SPAN_ROWS > sum(span[4] for span in spans):
        starts = np.cumsum([0, *(len(t) for t in tables)])
        order = np.concatenate([np.arange(starts[i] + first, starts[i] + first + n) for _, _, i, first, n in spans])
        table = pa.concat_tables(tables)
        if np.array_equal(order, np.arange(len(table))):  # in plan order already (one worker): joined as they are
            return table.to_pandas()
        return table.combine_chunks().take(order).to_pandas()  # one block per column: a take over many is slow
    return pa.concat_tables([tables[i].slice(first, n) for _, _, i, first, n in spans]).to_pandas()


def repeated(values: list[Any], counts: list[int], kind: str) -> Any:
    """Each of ``values`` ``counts`` times, end to end, as :func:`joined` gives them (a run's ids on each
    of its rows); text, with pyarrow installed, as an Arrow array: each run's text converted once."""
    if kind != "str":
        return np.repeat(np.array(values, dtype=kind), counts)
    try:
        import pyarrow as pa
    except ImportError:
        return joined([[v] * n for v, n in zip(values, counts, strict=True)], kind)
    return pa.array(values, pa.large_string()).take(np.repeat(np.arange(len(values)), counts))


def in_plan_order(pieces: list[Piece], position: dict[str, int]) -> pd.DataFrame:
    """The rows of ``pieces`` concatenated in the runs' plan order (runs not in ``position`` left out).

    The same frame as each run's table concatenated in plan order: Arrow pieces of one schema are cut
    into spans of runs (:func:`arrow_in_plan_order`); DataFrames with the same columns are joined once
    and their rows reordered; others are cut into runs and joined per run.
    """
    pieces = [p for p in pieces if any(r in position for r in p.run_ids)]
    if not pieces:
        return pd.DataFrame()
    arrow = [p.arrow for p in pieces]
    if None not in arrow and all(a.schema.equals(arrow[0].schema) for a in arrow):
        return arrow_in_plan_order(arrow, pieces, position)
    frames = [p.frame for p in pieces]  # each piece as a DataFrame, made once (from Arrow, a conversion)
    if all(list(f.columns) == list(frames[0].columns) for f in frames):
        runs = [position.get(r, -1) for p in pieces for r in p.run_ids]
        rows = np.repeat(runs, [n for p in pieces for n in p.n_rows])
        order = np.argsort(rows, kind="stable")
        order = order[rows[order] >= 0]
        merged = pd.concat(frames, ignore_index=True)
        if len(order) == len(rows) and (len(rows) < 2 or bool(np.all(rows[:-1] <= rows[1:]))):
            return merged
        return merged.take(order).reset_index(drop=True)
    slices = []
    for p, frame in zip(pieces, frames, strict=True):
        starts = np.cumsum([0, *p.n_rows])
        slices += [(position[r], frame.iloc[starts[i]:starts[i + 1]])
                   for i, r in enumerate(p.run_ids) if r in position]
    slices.sort(key=lambda s: s[0])
    return pd.concat([s for _, s in slices], ignore_index=True)
