"""Scenario files: TOML that names a map, a start, a length, parameter values and dated events.

A scenario may ``extends = "baseline.toml"`` another and state only what differs: parameters
are merged (the child wins) and the child's events are added to the parent's (unless it sets
``inherit_events = false``). Everything is checked before a run; a problem raises
:class:`~sim.errors.InputError` naming the file, the key and what is allowed.

Event dates are ISO dates (``2021-06-01``) or offsets from the start (``"+12 months"``,
``"+90 days"``, ``"+2 years"``). A relative ``map`` path is taken from the folder of the file
that names it, not from the current folder.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from sim.errors import InputError, as_written, value_kind
from sim.events import EVENT_KINDS, EventArgs, PrisonAttackWindow, ScheduledEvent, SetParameters
from sim.parameters import Parameters
from sim.resources import scenarios_dir
from sim.tomlfile import parse_toml

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

SCENARIOS = scenarios_dir()
DEFAULT_START = dt.date(2019, 4, 1)  # the month after Baghouz fell (facts baghouz_fall, attrition_appeal)
EVENT_DATE = "a date like 2021-03-01, or an offset from the start like '+12 months'"
OFFSET = re.compile(r"^\+\s*(\d+)\s*(day|days|month|months|year|years)$")
# the calendar a scenario may use: wide enough for any study, far from datetime's year 9999
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
MAX_SEED = 2**63 - 1  # seeds go into int64 columns of the results tables
FILE_ONLY = ("extends", "inherit_events", "events", "parameters")  # keys an override cannot change
MAX_FILE_BYTES = 1_000_000  # a scenario file is a page of text; anything this large is a wrong file
MAX_EXTENDS = 32  # longer chains of `extends` are a mistake (or a cycle through symlinks)
#: parameter pairs that must be ordered: (lower, upper), the first at most the second
ORDERED_PAIRS: tuple[tuple[str, str], ...] = (
    ("zakat_min_usd", "zakat_max_usd"),  # the smallest demand and the largest
    ("sdf_unit_size", "sdf_fighters_region"),  # one unit cannot outnumber the whole force
)
# not a pair: cordon_fighters may exceed sdf_fighters_region (reinforcements from outside the map),
# and Morris screening varies both by half their default independently


class ScenarioFile(BaseModel):
    """The keys a scenario file may have."""

    model_config = ConfigDict(extra="forbid")
    extends: str | None = None
    name: str | None = None
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    map: str = "maps/nes.toml"
    start: dt.date = Field(DEFAULT_START, ge=EARLIEST, le=LATEST)
    months: StrictInt = Field(60, ge=1, le=600)
    seed: StrictInt = Field(0, ge=0, le=MAX_SEED)
    parameters: dict[str, Any] = Field(default_factory=dict)
    inherit_events: StrictBool = True
    events: list[dict[str, Any]] = Field(default_factory=list)


@dataclass(frozen=True)
class EventSpec:
    """A checked event: its day index, date and arguments."""

    day: int
    date: dt.date
    args: EventArgs

    @property
    def kind(self) -> str:
        """The event kind."""
        return self.args.kind


@dataclass(frozen=True)
class Scenario:
    """A checked scenario, ready to build a model from."""

    name: str
    path: Path | None
    description: str
    sources: tuple[str, ...]
    map_path: Path
    start: dt.date
    months: int
    seed: int
    parameters: dict[str, Any]
    events: tuple[EventSpec, ...]
    resolved: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def dropped_events(self) -> list[str]:
        """Events left out because an override moved the run away from their dates."""
        return list(self.resolved.get("dropped_events", []))

    @property
    def end(self) -> dt.date:
        """First day after the run."""
        return add_months(self.start, self.months)

    @property
    def days(self) -> int:
        """Length of the run in days."""
        return (self.end - self.start).days

    @property
    def digest(self) -> str:
        """Hash of the resolved contents (for results manifests)."""
        return hashlib.sha256(repr(sorted(self.resolved.items())).encode()).hexdigest()[:16]

    def with_parameters(self, **values: Any) -> Scenario:
        """A copy with some parameters changed (checked)."""
        merged = {**self.parameters, **values}
        _check_parameters(merged, self.path, "parameters")
        resolved = {**self.resolved, "parameters": merged}
        return Scenario(self.name, self.path, self.description, self.sources, self.map_path, self.start,
                        self.months, self.seed, merged, self.events, resolved)

    def schedule(self, model: InsurgencyModel) -> list[ScheduledEvent]:
        """Schedule the events on ``model``; returns them (the model must keep them alive)."""
        scheduled = []
        for spec in self.events:
            event = ScheduledEvent(model, spec.day, spec.args)
            # a step at time t simulates day t - 1: fire before the step that simulates spec.day
            model.schedule_event(event.fire, at=spec.day + 0.5)
            scheduled.append(event)
        return scheduled


def add_months(date: dt.date, months: int) -> dt.date:
    """``date`` moved by whole calendar months (day clipped to the month's length)."""
    y, m = divmod(date.month - 1 + months, 12)
    year, month = date.year + y, m + 1
    for day in (date.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def available() -> dict[str, Path]:
    """The shipped scenarios, by name."""
    return {p.stem: p for p in sorted(SCENARIOS.glob("*.toml"))}


def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario file from a path or a shipped scenario's name."""
    path = Path(name_or_path)
    if path.is_file():
        return path.resolve()
    shipped = available()
    stem = path.stem if path.suffix == ".toml" else str(name_or_path)
    if stem in shipped and path.parent == Path("."):
        return shipped[stem]
    hint = difflib.get_close_matches(stem, list(shipped), n=1)
    raise InputError(name_or_path, None, "no such scenario file" + (f"; did you mean {hint[0]!r}?" if hint else ""),
                     allowed="a path to a .toml file or one of: " + ", ".join(shipped))


#: how many near names a misspelt key is offered, and how many choices are listed in full
SUGGESTIONS = 3
LIST_IN_FULL = 20


def suggest(key: str, choices: list[str]) -> str:
    """'; did you mean X, Y or Z?' for the few closest of ``choices`` (closest first), or nothing."""
    hints = [repr(h) for h in difflib.get_close_matches(key, choices, n=SUGGESTIONS, cutoff=0.6)]
    if not hints:
        return ""
    return "; did you mean " + (hints[0] if len(hints) == 1 else ", ".join(hints[:-1]) + " or " + hints[-1]) + "?"


def allowed_names(choices: list[str]) -> str:
    """The allowed names: all of a short list; for a long one, how many and where they are listed."""
    if len(choices) <= LIST_IN_FULL:
        return ", ".join(sorted(choices))
    return f"one of {len(choices)} names: see seeds/parameters.toml, or Reference > Parameters in the docs"


def _raise_validation(exc: ValidationError, path: Path | None, prefix: str, choices: list[str],
                      model: type[BaseModel] | None = None) -> None:
    err = exc.errors()[0]
    loc = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in err["loc"]).lstrip(".")  # events[0].kind
    key = f"{prefix}{'' if loc.startswith('[') else '.'}{loc}" if prefix and loc else (prefix or loc)
    if err["type"] == "extra_forbidden":
        bad = str(err["loc"][-1])
        raise InputError(path, key, "unknown key" + suggest(bad, choices),
                         allowed=allowed_names(choices)) from None
    allowed = allowed_values(model, str(err["loc"][0])) if model and err["loc"] else ""
    value = err.get("input")
    if err["type"] == "missing":
        problem = "missing"
    elif err["type"].endswith(("_type", "_parsing")):  # the wrong kind of value: say which kind, in plain words
        problem = f"wrong type: {as_written(value)} is {value_kind(value)}"
    elif err["msg"].startswith("Input should"):  # out of range: "-5 should be greater than or equal to 0"
        problem = f"{as_written(value)} {err['msg'].removeprefix('Input ')}"
    else:
        problem = f"{err['msg']} (got {as_written(value)})"
    raise InputError(path, key, problem, allowed=allowed) from None


def allowed_values(model: type[BaseModel], name: str) -> str:
    """What a field of ``model`` accepts, with both bounds: "a number from 0 to 100000"."""
    info = model.model_fields.get(name)
    if info is None:
        return ""
    low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
    what = type_in_words(info.annotation)
    if low is not None or high is not None:
        what += f" from {'-inf' if low is None else low} to {'inf' if high is None else high}"
    return what


def type_in_words(annotation: Any) -> str:
    """A field's type as a user reads it: ``int`` is "a whole number", ``list[str] | None`` "a list of text"."""
    words = {float: "a number", int: "a whole number", bool: "true or false", dt.date: "a date like 2021-03-01",
             str: "text", dict: "a table"}
    if annotation in words:
        return words[annotation]
    args = [a for a in get_args(annotation) if a is not type(None)]
    origin = get_origin(annotation)
    if origin is list and args:
        item = type_in_words(args[0])
        return "a list of text values" if item == "text" else f"a list, each item {item}"
    if origin is dict:
        return words[dict]
    if origin is Literal:
        return " or ".join(repr(a) for a in args)
    if len(args) == 1:  # X | None: the None is the default, not something to write
        return type_in_words(args[0])
    return " or ".join(type_in_words(a) for a in args) if args else "a value"


def _check_parameters(values: dict[str, Any], path: Path | None, prefix: str) -> None:
    """Strictly: ``true`` is not 1.0 and ``"500"`` is not 500; ordered pairs stay ordered."""
    try:
        checked = Parameters.model_validate(values, strict=True)
    except ValidationError as exc:
        _raise_validation(exc, path, prefix, list(Parameters.model_fields), Parameters)
    for low, high in ORDERED_PAIRS:
        a, b = getattr(checked, low), getattr(checked, high)
        if a > b:
            key = f"{prefix}.{low if low in values else high}"
            raise InputError(path, key, f"{low} = {a} is above {high} = {b}",
                             allowed=f"{low} at most {high} (set both if needed)")


def check_seed(seed: Any, key: str = "seed") -> int:
    """``seed`` as a plain int (numpy integers too) if it is a whole number from 0 to :data:`MAX_SEED`."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= MAX_SEED:
        raise InputError(None, key, f"{seed!r} is not a usable seed", allowed=f"a whole number from 0 to {MAX_SEED}")
    return int(seed)


def plain_value(value: Any) -> Any:
    """numpy scalars as Python values (notebooks pass them), so strict checks accept them."""
    return value.item() if isinstance(value, np.generic) else value


def read_toml(path: Path) -> dict[str, Any]:
    """A scenario file as a dict; InputError naming the file if it is too large, missing, not UTF-8 or not TOML."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # missing or unreadable: parse_toml says which
    if size > MAX_FILE_BYTES:
        raise InputError(path, None, f"is {size:,} bytes, too large for a scenario file",
                         allowed=f"at most {MAX_FILE_BYTES:,} bytes")
    return parse_toml(path)


def _parent_of(path: Path, name: str) -> Path:
    """The file ``path`` extends: ``name`` next to it, else the shipped scenario of that name (a file of
    one's own anywhere can extend ``history`` or ``history.toml``); a file next to it comes first."""
    beside = (path.parent / name).resolve()
    if beside.is_file():
        return beside
    shipped = available().get(Path(name).stem) if Path(name).name == name else None
    if shipped is not None and Path(name).suffix in ("", ".toml"):
        return shipped.resolve()
    raise InputError(path, "extends", f"{name!r} not found next to this file",
                     allowed="a path relative to this file, or a shipped scenario's name: "
                     + ", ".join(available()))


def _read(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise InputError(path, "extends", f"a cycle of extends: {cycle}")
    if len(chain) >= MAX_EXTENDS:
        raise InputError(chain[0], "extends", f"a chain of more than {MAX_EXTENDS} files",
                         allowed=f"at most {MAX_EXTENDS} files extending one another")
    raw = read_toml(path)
    try:
        ScenarioFile(**raw)
    except ValidationError as exc:
        _raise_validation(exc, path, "", list(ScenarioFile.model_fields), ScenarioFile)
    # every event remembers the file that defines it and its place there, for error messages
    raw["events"] = [{**e, "_file": str(path), "_index": i} if isinstance(e, dict) else e
                     for i, e in enumerate(raw.get("events", []))]
    if "map" in raw:
        # a map is found next to the file that names it, whoever extends that file (so a folder of
        # scenarios and maps can be moved as a whole); the path as written is kept for messages
        raw["_map_written"], raw["_map_file"] = raw["map"], str(path)
        raw["map"] = str((path.parent / raw["map"]).resolve())
    parent_name = raw.get("extends")
    if not parent_name:
        return {**raw, "_files": [path]}
    parent_path = _parent_of(path, parent_name)
    parent = _read(parent_path, (*chain, path))
    merged = {**parent, **{k: v for k, v in raw.items() if k not in ("parameters", "events", "extends")}}
    merged["parameters"] = {**parent.get("parameters", {}), **raw.get("parameters", {})}
    inherited = parent.get("events", []) if raw.get("inherit_events", True) else []
    if "months" in raw or "start" in raw:  # this file reshapes the run it extends: see _load
        inherited = [{**e, "_reshaped": True} if isinstance(e, dict) else e for e in inherited]
    merged["events"] = inherited + raw["events"]
    merged["_files"] = [*parent["_files"], path]
    if "name" not in raw:
        merged.pop("name", None)
    return merged


def _event_date(value: Any, start: dt.date) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        m = OFFSET.match(value.strip())
        if m:
            n, unit = int(m.group(1)), m.group(2)
            try:
                if unit.startswith("day"):
                    return start + dt.timedelta(days=n)
                return add_months(start, n * (12 if unit.startswith("year") else 1))
            except (OverflowError, ValueError):
                return dt.date.max  # beyond any calendar: reported as outside the run
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def load_scenario(name_or_path: str | Path, **overrides: Any) -> Scenario:
    """Read, merge and check a scenario; ``overrides`` set top-level keys or parameters."""
    path = resolve_path(name_or_path)
    try:
        return _load(path, {k: plain_value(v) for k, v in overrides.items()})
    except RecursionError:
        raise InputError(path, None, "nested too deeply to check", allowed="plain tables and lists") from None


def _load(path: Path, overrides: dict[str, Any]) -> Scenario:
    data = _read(path)
    files = data.pop("_files")
    map_written, map_file = data.pop("_map_written", None), data.pop("_map_file", None)
    for key, value in overrides.items():
        if key in FILE_ONLY:  # the file is already read and merged: an override would be ignored
            raise InputError(path, key, "can only be set in the scenario file, not as an override",
                             allowed="a parameter or one of " + ", ".join(k for k in ScenarioFile.model_fields
                                                                          if k not in FILE_ONLY))
        if key in ScenarioFile.model_fields:
            data[key] = value
        else:
            data.setdefault("parameters", {})[key] = value
    try:
        top = ScenarioFile(**{k: v for k, v in data.items() if k in ScenarioFile.model_fields})
    except ValidationError as exc:  # an override from the command line or a notebook
        _raise_validation(exc, path, "", list(ScenarioFile.model_fields), ScenarioFile)
    _check_parameters(top.parameters, path, "parameters")
    map_path = (path.parent / top.map).resolve() if "map" in data else (SCENARIOS / top.map).resolve()
    if "map" in overrides:
        map_written, map_file = overrides["map"], path
    if not map_path.is_file():
        written = top.map if map_written is None else map_written
        raise InputError(map_file or path, "map", f"{as_written(written)} not found (looked for {map_path})",
                         allowed="a map file's path, absolute or relative to the folder of the scenario file "
                         f"that names it; the shipped map is {SCENARIOS / 'maps' / 'nes.toml'}")
    end = add_months(top.start, top.months)  # within the calendar: start and months are bounded
    events, dropped, origins = [], [], []
    # a run cut short (or moved) from the command line, or by a file extending another, drops the
    # events it no longer reaches (those of the file it reshapes); a file whose own dates fall
    # outside its own run is an error
    reshaped = "months" in overrides or "start" in overrides
    for i, raw in enumerate(data.get("events", [])):
        if not isinstance(raw, dict):
            raise InputError(path, f"events[{i}]", f"{as_written(raw)} is not a table", allowed="[[events]] tables")
        raw = dict(raw)
        file = Path(raw.pop("_file", path))
        key = f"events[{raw.pop('_index', i)}]"
        reshaped_by_child = raw.pop("_reshaped", False)
        if "kind" not in raw:
            raise InputError(file, f"{key}.kind", "missing: every event needs a kind", allowed=", ".join(EVENT_KINDS))
        kind = raw.pop("kind")
        if not isinstance(kind, str) or kind not in EVENT_KINDS:
            problem = f"unknown event kind {as_written(kind)}" + suggest(str(kind), list(EVENT_KINDS))
            raise InputError(file, f"{key}.kind", problem, allowed=", ".join(EVENT_KINDS))
        if "date" not in raw:
            raise InputError(file, f"{key}.date", "missing", allowed=EVENT_DATE)
        written = raw.pop("date")
        date = _event_date(written, top.start)
        if date is None:
            raise InputError(file, f"{key}.date", f"{as_written(written)} is not a date", allowed=EVENT_DATE)
        if not (top.start <= date < end) and (reshaped or reshaped_by_child):
            dropped.append(f"{kind} on {date}")
            continue
        if not (top.start <= date < end):
            shown = "beyond the calendar" if date == dt.date.max else str(date)
            raise InputError(file, f"{key}.date", f"{shown} is outside the run",
                             allowed=f"{top.start} to {end - dt.timedelta(days=1)}")
        cls = EVENT_KINDS[kind]
        try:
            args = cls.model_validate({"kind": kind, **raw}, strict=True)
        except ValidationError as exc:
            _raise_validation(exc, file, key, [k for k in cls.model_fields if k != "kind"] + ["kind", "date"], cls)
        _check_event(args, date, top.parameters, file, key)
        events.append(EventSpec((date - top.start).days, date, args))
        origins.append((file, key))
    _check_map_and_districts(events, origins, map_path)
    events.sort(key=lambda e: e.day)
    resolved = {k: v for k, v in data.items() if k != "events"}
    resolved["events"] = [{"kind": e.kind, "date": e.date.isoformat(), **e.args.model_dump(exclude={"kind"})}
                          for e in events]
    resolved["files"] = [str(f) for f in files]
    resolved["dropped_events"] = dropped
    for key in ("start",):
        resolved[key] = str(getattr(top, key))
    return Scenario(top.name or path.stem, path, top.description.strip(), tuple(top.sources), map_path, top.start,
                    top.months, top.seed, dict(top.parameters), tuple(events), resolved)


def _check_event(args: EventArgs, date: dt.date, parameters: dict[str, Any], file: Path, key: str) -> None:
    """What one event's own fields cannot say: its parameters against the scenario's, its window against its date."""
    if isinstance(args, SetParameters):
        if not args.parameters:  # an event that changes nothing is a mistake (a misplaced table, a typo)
            raise InputError(file, f"{key}.parameters", "missing or empty: the event would change nothing",
                             allowed="an [events.parameters] table with at least one parameter, "
                             "e.g. killing_prob = 0.2")
        _check_parameters({**parameters, **args.parameters}, file, f"{key}.parameters")
    if isinstance(args, PrisonAttackWindow) and args.window_closes < date:
        raise InputError(file, f"{key}.window_closes", f"{args.window_closes} is before the window opens "
                         f"(the event's date, {date})", allowed=f"a date like 2021-03-01, on or after {date}")


def _check_map_and_districts(events: list[EventSpec], origins: list[tuple[Path, str]], map_path: Path) -> None:
    """The map is sound and districts named by events are on it; an error names the file and key that wrote them."""
    from sim.geography import load_map

    # the map is read even when no event names a district: a bad map is an error now, not mid-run
    names = [d.name for d in load_map(map_path).districts]
    named = [(origin, name, getattr(e.args, name)) for origin, e in zip(origins, events, strict=True)
             for name in ("district", "districts") if getattr(e.args, name, None) is not None]
    for (file, key), field_name, value in named:
        given = [value] if isinstance(value, str) else value
        if not given:  # None (the key left out) means every district; an empty list means none, which is a slip
            raise InputError(file, f"{key}.{field_name}", "an empty list names no district",
                             allowed=f"one or more of {', '.join(names)}; or leave {field_name} out for every district")
        for district in given:
            if district not in names:
                raise InputError(file, f"{key}.{field_name}", f"unknown district {district!r} on the map "
                                 f"{map_path}" + suggest(district, names), allowed=", ".join(names))
