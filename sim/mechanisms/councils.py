"""The administrative vacuum: councils that cannot form and seats no one will take.

The AANES never really set up local councils in the north-east strip from al-Buseyrah to
al-Suwar and on into the Margadeh district; its representatives there are regularly targeted
or killed (EUI 2022, s.2). Darnaj has neither council nor chairman, and in Sweidan a council was
re-formed but no one will sit as chairman (s.2). Repentance keeps people out of the councils
(fn 27). Each month a vacant chair may be filled, and a missing council may form, with chances
that fall with fear, IS influence and the memory of repentance campaigns, and rise with trust.

Willingness to serve is the product trust × (1 − fear) × (1 − influence) × (1 − repentance
memory): a functional form of ours, in which each of the four factors the brief names can on its
own keep people out (any one at its extreme gives zero). A new council starts with
``new_council_officials`` members; each month one vacant seat is filled with chance
``seat_fill_rate`` × willingness.
"""

from __future__ import annotations

import numpy as np

from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism


@kernel
def willing_at(trust: float, fear: float, influence: float, tawba_pressure: float) -> float:
    """How ready a village's people are to serve in the administration (0..1): trust x (1 - fear) x (1 - influence) x
    (1 - the memory of repentance campaigns), in that order."""
    return trust * (1.0 - fear) * (1.0 - influence) * (1.0 - tawba_pressure)


@kernel
def willingness_of(trust: np.ndarray, fear: np.ndarray, influence: np.ndarray,
                   tawba_pressure: np.ndarray) -> np.ndarray:
    """:func:`willing_at` of every village."""
    out = np.empty(len(trust))
    for i in range(len(trust)):
        out[i] = willing_at(trust[i], fear[i], influence[i], tawba_pressure[i])
    return out


@kernel
def councils_month(stream: Stream, state: KernelState, chairman_fill: float, council_form: float, new_seats: int,
                   seats: float, seat_fill: float) -> None:
    """:meth:`Councils.month_end` on the villages of the kernels' ``state``: one uniform draw per village for the
    chairs and councils, then one per village for the seats, as numpy drew them (two ``random(n)`` calls)."""
    trust, fear, influence, tawba = state.v_trust, state.v_fear, state.v_influence, state.v_tawba_pressure
    held, council, chairman = state.v_sdf_held, state.v_has_council, state.v_has_chairman
    officials, pledged = state.v_officials, state.v_pledged
    n = len(trust)
    rng = rng_of(stream)
    draw = rng.random(n)
    for i in range(n):
        will = willing_at(trust[i], fear[i], influence[i], tawba[i])
        if held[i] and council[i] and not chairman[i] and draw[i] < chairman_fill * will:
            chairman[i] = True  # a vacant chair filled
        elif held[i] and not council[i] and draw[i] < council_form * will:
            council[i] = chairman[i] = True  # a council formed, with its chairman and its first members
            officials[i] = new_seats
    # vacant seats are filled one at a time by the willing; the newcomers have sworn nothing
    draw = rng.random(n)
    for i in range(n):
        if council[i] and officials[i] < seats and draw[i] < seat_fill * willing_at(trust[i], fear[i], influence[i],
                                                                                   tawba[i]):
            total = officials[i] + 1
            pledged[i] *= officials[i] / total
            officials[i] = total


class Councils(Mechanism):
    """Each month vacant chairs fill, missing councils form and empty seats are taken, by the willing."""

    name = "councils"
    switch = "councils_enabled"
    params = ("councils_enabled", "officials_per_council", "chairman_fill_prob", "council_form_prob",
              "new_council_officials", "seat_fill_rate")

    def willingness(self) -> np.ndarray:
        """How ready local people are to serve in the administration, per village (0..1)."""
        v = self.model.villages
        return willingness_of(v.trust, v.fear, v.influence, v.tawba_pressure)

    def month_end(self) -> None:
        """Fill vacant chairs, form missing councils, replace killed officials (:func:`councils_month`)."""
        m = self.model
        p = m.p
        councils_month(stream_of(m), kernel_state(m), float(p.chairman_fill_prob), float(p.council_form_prob),
                       min(int(p.new_council_officials), int(p.officials_per_council)),
                       float(p.officials_per_council), float(p.seat_fill_rate))


def vacuum(has_council: np.ndarray, has_chairman: np.ndarray, sdf_held: np.ndarray) -> np.ndarray:
    """True for SDF-held villages with no council or no chairman (the brief's administrative vacuum)."""
    return sdf_held & ~(has_council & has_chairman)
