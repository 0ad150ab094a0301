"""Generated pseudonyms: memorable, meaningless, not derived from anything about a person."""

import secrets

ADJECTIVES = (
    "amber", "brave", "calm", "clear", "bright", "gentle", "green", "kind", "light", "quiet",
    "silver", "steady", "swift", "warm", "wise", "young", "blue", "golden", "north", "open",
    "patient", "proud", "quick", "rapid", "rising", "soft", "still", "sunny", "true", "wild",
)
NOUNS = (
    "birch", "brook", "cedar", "cloud", "crane", "dawn", "falcon", "field", "harbor", "hill",
    "lake", "lark", "maple", "meadow", "moon", "oak", "pine", "river", "rowan", "sparrow",
    "spring", "steppe", "stone", "star", "swallow", "valley", "willow", "wind", "wolf", "wren",
)


def generate_pseudonym() -> str:
    """Return e.g. ``calm-river-4821`` (30*30*9000 = 8.1 million combinations)."""
    return f"{secrets.choice(ADJECTIVES)}-{secrets.choice(NOUNS)}-{secrets.randbelow(9000) + 1000}"
