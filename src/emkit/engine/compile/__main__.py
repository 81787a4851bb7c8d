"""``python -m emkit.engine.compile``: compile every shipped kernel into the cache."""
from . import main

if __name__ == "__main__":  # not when a spawned worker process imports this module
    main()
