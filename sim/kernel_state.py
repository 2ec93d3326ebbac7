"""The model's arrays that compiled kernels read and write, in one object kept between calls (issue 15).

numba types and unboxes every array a kernel is given, ~80 ns each a call: a night's hooks gave their kernels
~100 arrays a night, most of them the same columns night after night. :class:`KernelState` is a numba
structref holding those arrays (the columns of the villages, cells, units and traders, the books, the world's
tables, the mechanisms' tables); a kernel takes it as one argument (~0.8 us however many fields) and reads
``state.v_influence`` where it was given ``villages.influence``. The arrays are the model's own, not copies:
what a kernel writes through the state, the model sees.

:func:`kernel_state` gives a model's state, made once and made again only when an array it holds may have
been replaced: a table's column set (:attr:`sim.agents.base.Table.changes`: the cells' table grows when cells
form; a new table counts too), a neighbour table grown (:attr:`sim.world.space.NeighbourTable.changes`), the
parameter that picks the cache table (``cache_reach_cells``), or the Coalition's presence or the zakat or
violence tallies replaced. When only the cell table's columns or the caches' neighbour table were replaced (cells
formed, the table grew: most of the times), the state is kept and those fields are pointed at the new arrays
(:func:`refreshed`: ~1.5 us a call against ~7 us for a new state); when the cell table alone was replaced (each
table counts its own replacements, :attr:`sim.agents.base.Table.replaced`), only its columns are read and compared
(``_Kept.cells_repointed``), not every array of the state. The other arrays it holds (the books, the
world's and the mechanisms' tables) are made with the model and live as long as it.
``CHECK_FRESH = True`` (the tests) compares every field with the model's array at each ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numba
import numpy as np
from numba.core import types
from numba.experimental import structref

from sim.agents.base import Table
from sim.compiled import kernel
from sim.world.space import NeighbourTable

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

FIELDS: tuple[str, ...] = (
    # villages (one row each)
    "v_guard", "v_fear", "v_influence", "v_criteria", "v_sdf_held", "v_officials", "v_pledged", "v_has_chairman",
    "v_has_council", "v_tawba_pressure", "v_trust", "v_x", "v_y", "v_is_present",
    # cells (one row each, dead ones included)
    "c_alive", "c_under_command", "c_base_x", "c_base_y", "c_money", "c_fighters", "c_exposure", "c_x", "c_y",
    "c_role", "c_supporters",
    # SDF units
    "u_home", "u_local", "u_active", "u_strength",
    # traders
    "t_status", "t_next_demand", "t_wealth", "t_losses", "t_zakat_paid", "t_income", "t_market",
    # the world: the village on and the holder of each square, roads, each village's square, district and
    # governorate (strategic patience's), the grid's layer of IS influence
    "at", "holder", "on_road", "village_x", "village_y", "village_district", "governorate",
    "coalition_present_by_district", "influence_layer",
    # the books (sim.accounts) and the model's tallies by village
    "incidents", "money", "money_booked", "people", "people_booked", "zakat_by_village", "violence_by_village",
    # the mechanisms' tables: zakat's traders by market, repentance's outputs, the supply lines' caches (padded),
    # their spend orders, what strikes used up, and the cache reach's neighbour table
    "trader_order", "market_starts", "campaign_started", "campaign_outcome", "cache", "spend_orders", "consumed",
    "reach_padded", "reach_village_slot",
)
"""The state's fields, in the order :func:`state_arrays` gives them."""

CHECK_FRESH = False
"""True: every ask of :func:`kernel_state` checks that each field is the model's current array (the tests)."""


@structref.register
class KernelStateType(types.StructRef):
    """numba's type of a :class:`KernelState` (its fields' types are those of the arrays it was made with)."""

    def preprocess_fields(self, fields: Any) -> tuple:
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


class KernelState(structref.StructRefProxy):
    """The model's arrays of :data:`FIELDS`, for compiled kernels (made by :func:`kernel_state`)."""


structref.define_proxy(KernelState, KernelStateType, list(FIELDS))


@kernel
def new_state(*arrays: np.ndarray) -> KernelState:
    """A :class:`KernelState` of ``arrays`` (those of :data:`FIELDS`, in order): compiled and cached as every
    kernel is (making it in Python would compile its constructor in each process)."""
    return KernelState(*arrays)


@kernel
def set_cells(state: KernelState, alive: np.ndarray, under_command: np.ndarray, base_x: np.ndarray,
              base_y: np.ndarray, money: np.ndarray, fighters: np.ndarray, exposure: np.ndarray, x: np.ndarray,
              y: np.ndarray, role: np.ndarray, supporters: np.ndarray) -> None:
    """Point ``state``'s cell fields at the cell table's new columns (:data:`CELL_FIELDS`, in order): when cells form,
    every column of the table is replaced, nothing else is."""
    state.c_alive, state.c_under_command, state.c_base_x, state.c_base_y = alive, under_command, base_x, base_y
    state.c_money, state.c_fighters, state.c_exposure, state.c_x, state.c_y, state.c_role = (
        money, fighters, exposure, x, y, role)
    state.c_supporters = supporters


@kernel
def set_reach(state: KernelState, padded: np.ndarray, village_slot: np.ndarray) -> None:
    """Point ``state``'s fields of the caches' neighbour table at its new arrays (:data:`REACH_FIELDS`): it grows as
    squares are first asked for, nothing else is replaced then."""
    state.reach_padded, state.reach_village_slot = padded, village_slot


#: the fields :func:`set_cells` and :func:`set_reach` point elsewhere, as places in :data:`FIELDS`
CELL_FIELDS = tuple(range(FIELDS.index("c_alive"), FIELDS.index("c_supporters") + 1))
REACH_FIELDS = (FIELDS.index("reach_padded"), FIELDS.index("reach_village_slot"))


def refreshed(state: KernelState | None, held: tuple[np.ndarray, ...] | None,
              arrays: tuple[np.ndarray, ...]) -> KernelState:
    """A state of ``arrays`` (:func:`state_arrays`), given the ``state`` made of ``held`` before (None: none yet):
    the same state with its cell or cache-table fields pointed at the new arrays when only those were replaced
    (the arrays of the same types: :func:`set_cells`, :func:`set_reach`, a few microseconds), else a new one."""
    if state is None or held is None:
        return new_state(*arrays)
    replaced = {i for i, (old, new) in enumerate(zip(held, arrays, strict=True)) if old is not new}
    if not replaced.issubset(CELL_FIELDS + REACH_FIELDS) or any(
            held[i].dtype != arrays[i].dtype or held[i].ndim != arrays[i].ndim or not arrays[i].flags.c_contiguous
            or not arrays[i].flags.writeable for i in replaced):
        return new_state(*arrays)
    if not replaced.isdisjoint(CELL_FIELDS):
        set_cells(state, *(arrays[i] for i in CELL_FIELDS))
    if not replaced.isdisjoint(REACH_FIELDS):
        set_reach(state, *(arrays[i] for i in REACH_FIELDS))
    return state


def state_arrays(model: InsurgencyModel) -> tuple[np.ndarray, ...]:
    """The model's arrays of :data:`FIELDS`, in order."""
    m = model
    v, c, u, t, acc = m.villages, m.cells, m.units, m.traders, m.accounts
    mech = m.mechanisms
    supply = mech.supply_lines
    zakat, repentance, patience = mech.zakat, mech.repentance, mech.strategic_patience
    cache = supply.padded_cache()  # first, as it may set the villages' cache column
    reach = supply.reach()
    return (
        v.guard, v.fear, v.influence, v.criteria, v.sdf_held, v.officials, v.pledged, v.has_chairman, v.has_council,
        v.tawba_pressure, v.trust, v.x, v.y, v.is_present,
        c.alive, c.under_command, c.base_x, c.base_y, c.money, c.fighters, c.exposure, c.x, c.y, c.role, c.supporters,
        u.home, u.local, u.active, u.strength,
        t.status, t.next_demand, t.wealth, t.losses, t.zakat_paid, t.income, mech.trade.market,
        m.world.index.at, m.geography.holder, m.world.on_road, m.world.village_x, m.world.village_y,
        m.world.village_district, patience.governorate, m.policy.coalition_present_by_district, mech.influence.layer,
        acc.incidents, acc.money.values, acc.money.booked, acc.people.values, acc.people.booked, m.zakat_by_village,
        m.violence_by_village,
        zakat.trader_order, zakat.market_starts, repentance.campaign_started, repentance.campaign_outcome, cache,
        supply.spend_orders(), supply.consumed, reach.padded, reach.village_slot,
    )


class _Kept:
    """A model's state and what it was made for; copied or pickled empty (the state points at the model's
    arrays, not a copy's), so that a copied model makes its own."""

    __slots__ = ("arrays", "cache_reach", "cells", "cells_replaced", "neighbour_changes", "presence", "state",
                 "table_changes", "violence", "zakat")

    def __init__(self) -> None:
        self.state: KernelState | None = None
        self.arrays: tuple[np.ndarray, ...] | None = None  # what the state holds (see refreshed)
        # what tells that an array of the state may have been replaced, compared part by part at each ask (no
        # tuple built): the tables' counters, the cache radius, and the arrays a model may replace by
        # assignment (kept here and compared by identity: the state holds them anyway)
        self.table_changes = self.neighbour_changes = self.cells_replaced = -1
        self.cache_reach = self.presence = self.zakat = self.violence = self.cells = None

    def fresh_for(self, model: InsurgencyModel) -> bool:
        """Whether the state was made for the model's arrays as they are now."""
        return self.table_changes == Table.changes and self._rest_fresh_for(model)

    def _rest_fresh_for(self, model: InsurgencyModel) -> bool:
        # all but the tables' columns
        return (self.neighbour_changes == NeighbourTable.changes and self.cache_reach == model.p.cache_reach_cells
                and self.presence is model.policy.coalition_present_by_district
                and self.zakat is model.zakat_by_village and self.violence is model.violence_by_village)

    def cells_repointed(self, model: InsurgencyModel) -> bool:
        """Where only the cell table's columns were replaced since the state was kept (cells formed: the table grew,
        the usual case), point the state's cell fields at them (:func:`set_cells`) and keep that; False, and nothing
        done, otherwise (or where a new column is not of its field's type)."""
        c = model.cells
        if (self.state is None or self.arrays is None or c is not self.cells
                or Table.changes - self.table_changes != c.replaced - self.cells_replaced
                or not self._rest_fresh_for(model)):
            return False
        columns = tuple(getattr(c, FIELDS[i][2:]) for i in CELL_FIELDS)
        arrays = list(self.arrays)
        for i, new in zip(CELL_FIELDS, columns, strict=True):
            old = arrays[i]
            if new.dtype != old.dtype or new.ndim != old.ndim or not new.flags.c_contiguous or not new.flags.writeable:
                return False
            arrays[i] = new
        set_cells(self.state, *columns)
        self.arrays, self.table_changes, self.cells_replaced = tuple(arrays), Table.changes, c.replaced
        return True

    def keep(self, state: KernelState, arrays: tuple[np.ndarray, ...], model: InsurgencyModel) -> None:
        """Keep ``state``, made for the model's arrays as they are now (``arrays``)."""
        self.state, self.arrays = state, arrays
        self.table_changes, self.neighbour_changes = Table.changes, NeighbourTable.changes
        self.cells, self.cells_replaced = model.cells, model.cells.replaced
        self.cache_reach = model.p.cache_reach_cells
        self.presence = model.policy.coalition_present_by_district
        self.zakat, self.violence = model.zakat_by_village, model.violence_by_village

    def __deepcopy__(self, memo: dict) -> _Kept:
        return _Kept()

    def __reduce__(self) -> tuple:
        return _Kept, ()


def kernel_state(model: InsurgencyModel) -> KernelState:
    """The model's :class:`KernelState`, made again when an array it holds may have been replaced."""
    kept = model.__dict__.get("_kernel_state")
    if kept is None:
        kept = model.__dict__["_kernel_state"] = _Kept()
    if not kept.fresh_for(model) and not kept.cells_repointed(model):
        arrays = state_arrays(model)
        kept.keep(refreshed(kept.state, kept.arrays, arrays), arrays, model)  # after the arrays: asking for the
        # padded caches may have set a column
    elif CHECK_FRESH:
        held = fields_of(kept.state)
        stale = [name for name, array in zip(FIELDS, state_arrays(model), strict=True)
                 if not _same_array(held[name], array)]
        if stale:
            raise AssertionError(f"the kernels' state holds old arrays for {stale}")
    return kept.state


def fields_of(state: KernelState) -> dict[str, np.ndarray]:
    """The arrays a state holds, by field (for checks: compiled on first use, not cached)."""
    global _read_fields
    if _read_fields is None:  # the proxy has no Python attributes: a kernel reads them all
        source = f"def read(state):\n    return ({', '.join(f'state.{name}' for name in FIELDS)},)\n"
        namespace: dict[str, Any] = {}
        exec(source, namespace)
        _read_fields = numba.njit(namespace["read"])
    return dict(zip(FIELDS, _read_fields(state), strict=True))


_read_fields: Any = None


def _same_array(held: np.ndarray, current: np.ndarray) -> bool:
    # a field read back from the structref may be a new ndarray object over the same memory
    return held is current or (held.__array_interface__["data"][0] == current.__array_interface__["data"][0]
            and held.shape == current.shape and held.dtype == current.dtype)
