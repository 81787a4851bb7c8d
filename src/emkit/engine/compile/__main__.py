"""``python -m emkit.engine.compile``: compile every shipped kernel into the cache."""
from . import main

main()
