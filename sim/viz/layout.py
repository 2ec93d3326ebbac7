"""How the insim page adapts Mesa's SolaraViz: one page without tabs, and sliders that show their values.

Mesa's ``ComponentsView`` puts the components under a row of tabs ("Page 0") even when there is
only one page, and its sliders (the parameter sliders and its own play and render intervals)
show their value only while being dragged. :func:`install` swaps in a page without tabs and
draws every slider Mesa makes with its name and current value written above it
(:func:`SliderWithValue`). Both changes are confined to Mesa's ``solara_viz`` module and are
applied when the page is built (:func:`sim.viz.app.make_page`).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

import solara


class _SolaraForMesa(types.SimpleNamespace):
    """The ``solara`` module as Mesa's code sees it, with its two slider components replaced."""

    def __getattr__(self, name: str) -> Any:
        return getattr(solara, name)


def value_text(value: Any) -> str:
    """A slider value as the label shows it (four significant digits for fractions)."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


@solara.component
def SliderWithValue(slider: Callable[..., Any], label: str, value: Any = None,
                    on_value: Callable[[Any], None] | None = None, **kwargs: Any) -> None:
    """``slider`` (solara's SliderInt or SliderFloat) under a line with its name and current value."""
    local, set_local = solara.use_state(value.value if isinstance(value, solara.Reactive) else value)
    current = value.value if isinstance(value, solara.Reactive) else local

    def changed(new: Any) -> None:
        if isinstance(value, solara.Reactive):
            value.set(new)
        else:
            set_local(new)
        if on_value is not None:
            on_value(new)

    with solara.Column(gap="0px", classes=["insim-slider"]):
        solara.Text(f"{label}: {value_text(current)}", classes=["insim-slider-value"], style={"font-size": "0.9em"})
        slider("", value=current, on_value=changed, **kwargs)


def install(layout: Callable[[int], list[dict[str, Any]]]) -> None:
    """Apply both changes to Mesa's SolaraViz; ``layout(n)`` gives the grid for ``n`` components."""
    import mesa.visualization.solara_viz as solara_viz

    @solara.component
    def SinglePage(components: list[Any], model: Any) -> None:
        """The components in one draggable grid, without Mesa's tab bar."""
        items = [c[0] if isinstance(c, tuple) else c for c in components]
        grid, set_grid = solara.use_state(layout(len(items)))
        solara.GridDraggable(items=[c(model) for c in items], grid_layout=grid, resizable=True, draggable=True,
                             on_grid_layout=set_grid)

    solara_viz.ComponentsView = SinglePage
    solara_viz.solara = _SolaraForMesa(SliderInt=functools.partial(SliderWithValue, solara.SliderInt),
                                       SliderFloat=functools.partial(SliderWithValue, solara.SliderFloat))
