"""Named codes for what the map and the tables store as small integers or strings.

Holders index :data:`sim.geography.HOLDERS`; hideout kinds say where a cell lives; the zone,
district and governorate names are those of ``scenarios/maps/nes.toml`` that the model treats
specially (each use cites why).
"""

from __future__ import annotations

from sim.geography import HOLDERS

SDF, REGIME, IRAQ = (HOLDERS.index(h) for h in ("sdf", "regime", "iraq"))

HIDEOUT_KINDS: tuple[str, ...] = ("badia", "shepherd_camp", "village")
BADIA, SHEPHERD_CAMP, VILLAGE = range(len(HIDEOUT_KINDS))

# zones of the brief's analysis (EUI 2022, s.2)
EAST_STRIP = "east_strip"
KARAMA_RAQQA = "karama_raqqa"
HASAKA = "hasaka"

# districts with a story of their own
NORTHEAST_STRIP = "northeast_strip"  # councils never really formed (s.2)
MARGADEH = "margadeh"  # the vacuum runs on into the Margadeh district (s.2)
HASAKA_NEIGHBOURHOODS = "hasaka_neighbourhoods"  # Ghuweiran and al-Zuhur (s.1-2, fn 30-32)
NEVER_COUNCILLED = (NORTHEAST_STRIP, MARGADEH)
AL_KARAMA = "al_karama"  # the elite bargain of 2017 (s.2, fn 37)
RAQQA_CITY = "raqqa"  # whose council, courts and security bodies al-Karama's Bariaj clan holds (fn 38)

# governorates, as the Rojava Information Center reports attacks by them
RIC_GOVERNORATES: tuple[str, ...] = ("deir_ez_zor", "raqqa", "hasaka")

NEVER_HELD_BY_IS: tuple[str, ...] = ("al_hasaka", "jazira_steppe")
"""Districts IS never held (al-Hasaka city, the Jazira steppe); every other SDF-held district is one of the
places IS once held, where it seeded sleeper cells (WP 2019) and whose former strongholds it tried to
re-activate (EUI 2022, s.2). Used by ``comparable_start`` and the day-one sleepers (issue 13 plan, s.3.2)."""
