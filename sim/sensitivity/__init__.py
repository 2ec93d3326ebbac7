"""Sensitivity analysis: Morris screening of the assumed parameters (see :mod:`sim.sensitivity.morris`).

>>> from sim.sensitivity import screen
>>> table = screen(["recruitment_rate", "killing_prob"], trajectories=4, months=36)  # doctest: +SKIP
"""

from sim.sensitivity.morris import (
    DEFAULT_OUTCOMES,
    RELATIVE_SPAN,
    Factor,
    analyse,
    design,
    factors,
    markdown,
    plot,
    screen,
)

__all__ = ["DEFAULT_OUTCOMES", "RELATIVE_SPAN", "Factor", "analyse", "design", "factors", "markdown", "plot", "screen"]
