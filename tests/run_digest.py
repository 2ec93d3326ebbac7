"""A digest of every output of a model's run: its monthly, incident and village tables, every column of its agent
tables, and its treasury, detainees, units' version and random stream (tests comparing two ways to run)."""

from __future__ import annotations

import hashlib

import sim


def digest_of(model: sim.InsurgencyModel) -> str:
    """The digest of ``model`` as it is now (after its run)."""
    digest = hashlib.sha256()
    for frame in (model.monthly_frame(), model.incident_frame(), model.village_frame()):
        digest.update(frame.to_csv(float_format="%.17g").encode())
    for name, column in sorted({**model.cells.columns(), **model.units.columns(), **model.villages.columns(),
                                **model.traders.columns()}.items()):
        digest.update(name.encode() + column.tobytes())
    digest.update(repr((model.treasury, model.detainees, model.units_version, model.rng.bit_generator.state)).encode())
    return digest.hexdigest()
