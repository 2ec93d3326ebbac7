"""The base of every mechanism: the parameters it owns, its switch, its state and its hooks.

A mechanism is built once per model. The model calls its hooks in the order of
:data:`sim.model.PHASES` (``night`` with tonight's visits, ``day``, ``month_end``), and only while
its switch (a boolean parameter, so a scenario, ``--set`` or an event can turn it off for an
ablation) is on. What a mechanism keeps between days (caches, memories) lives on the mechanism,
not on the model; a cache is keyed by the parameter values it was built from, so a
``set_parameters`` event takes effect the next day.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.parameters import KeptRules

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel


@functools.cache
def values_of(names: tuple[str, ...]) -> operator.attrgetter:
    """A getter of the attributes ``names`` (at least two) as a tuple, made once per set of names."""
    return operator.attrgetter(*names)


def _freeze(value: Any) -> Any:
    """``value`` with every numpy array in it (itself, or a tuple's items) marked read-only: callers share it."""
    for array in value if isinstance(value, tuple) else (value,):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return value


class LastAnswer:
    """The answer to the last question asked, kept while its key is unchanged.

    For what a mechanism asks several times a day but changes rarely: ``get(key, compute)`` returns
    the kept answer when ``key`` equals the last one, else ``compute()``, made read-only (its
    callers share it). Keys hold parameter values and the bytes of the columns the answer is made of.
    """

    __slots__ = ("answer", "asked", "key")

    def __init__(self) -> None:
        self.key: Any = None
        self.answer: Any = None
        self.asked = False

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The answer for ``key``: kept, or computed now."""
        if not self.asked or self.key != key:
            self.key, self.answer, self.asked = key, _freeze(compute()), True
        return self.answer


class Mechanism:
    """One mechanism of the model.

    Class attributes:
        name: the mechanism's name (its module's name).
        params: the parameters of ``seeds/parameters.toml`` it owns; each is owned exactly once.
        reads: parameters owned elsewhere (by another mechanism, the world or a modifier) it reads.
        switch: the boolean parameter that turns it on and off (``None``: it cannot be switched off).
    """

    name: ClassVar[str] = ""
    params: ClassVar[tuple[str, ...]] = ()
    reads: ClassVar[tuple[str, ...]] = ()
    switch: ClassVar[str | None] = None

    def __init__(self, model: InsurgencyModel) -> None:
        self.model = model
        self._kept_rules: dict[str, KeptRules] = {}  # numbers made from the parameters, by what they are for

    def kept(self, what: str, make: Callable[[], Any], extra: Any = None) -> Any:
        """``make()``'s numbers for ``what`` (made from the parameters and ``extra``, plain values), kept while
        they are unchanged (:class:`sim.parameters.KeptRules`): the kernels' rules, read every night."""
        found = self._kept_rules.get(what)
        if found is None:
            found = self._kept_rules[what] = KeptRules()
        return found.get(self.model.p, make, extra)

    def steady_through(self, day: int) -> int | None:
        """The last day from ``day`` on through which what the mechanism gives the kernels each day stays as on
        ``day`` but for the day itself (which the kernels that run several days in one call count on their own,
        ``sim.night_acts.days_in_a_row``); None: every day (a mechanism whose inputs change on a set day says
        which)."""
        return None

    def idle_today(self) -> bool:
        """Whether the mechanism's day hook would do nothing if it ran now (False unless the mechanism knows: a
        day whose hooks before the fused block are idle is done in the night's kernel call, ``sim.day_acts``)."""
        return False

    @property
    def enabled(self) -> bool:
        """True while the mechanism's switch is on."""
        return self.switch is None or bool(getattr(self.model.p, self.switch))

    def param_key(self, *names: str) -> tuple[Any, ...]:
        """The current values of some parameters: the key of a cache built from them."""
        if len(names) < 2:
            return tuple(getattr(self.model.p, n) for n in names)
        return values_of(names)(self.model.p)  # one C call for all of them (a key built every day)

    def night(self, visits: Visits) -> None:
        """Act tonight, given where the cells went."""

    def day(self) -> None:
        """Act during the day."""

    def month_end(self) -> None:
        """Act when the month turns."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(enabled={self.enabled})"
