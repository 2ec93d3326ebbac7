"""One module per mechanism, each citing the passages of the seeds it rests on.

Night: ``night_movement``, ``checkpoints``, ``zakat``, ``repentance``, ``allegiance``,
``killings``, ``attacks``, ``governance``, ``feeding_the_road``. Day: ``patrols``, ``raids`` (with
``compartmentalisation`` and ``civilian_arrests``), ``trade``, ``influence``. Month end:
``councils`` (the administrative vacuum), ``trust``, ``recruitment``, ``sdf_recruitment``,
``cell_bases``. Conditions read by several: ``strategic_patience``, ``coalition``,
``policing``. Scenario-driven: ``prison`` (attacks, amnesties), ``elite_bargain``,
``turkish_front``.
"""

from sim.mechanisms import (
    allegiance,
    attacks,
    cell_bases,
    checkpoints,
    civilian_arrests,
    coalition,
    compartmentalisation,
    councils,
    elite_bargain,
    feeding_the_road,
    governance,
    influence,
    killings,
    night_movement,
    patrols,
    policing,
    prison,
    raids,
    recruitment,
    repentance,
    sdf_recruitment,
    strategic_patience,
    trade,
    trust,
    turkish_front,
    zakat,
)

__all__ = [
    "allegiance", "attacks", "cell_bases", "checkpoints", "civilian_arrests", "coalition",
    "compartmentalisation", "councils", "elite_bargain", "feeding_the_road", "governance", "influence", "killings",
    "night_movement", "patrols", "policing", "prison", "raids", "recruitment", "repentance",
    "sdf_recruitment", "strategic_patience", "trade", "trust", "turkish_front", "zakat",
]
