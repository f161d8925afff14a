"""skillgap: labour-market skills intelligence for micro-credential planning.

This folder is the package core (settings, errors, table schemas, file helpers). The layers
live in root folders of the checkout and install as ``skillgap.<layer>``; dependencies
point one way: ``cli`` -> ``flows`` -> (``ingest``, ``nlp``, ``gaps``, ``reports``,
``store``) -> ``taxonomies`` -> core. ``gaps`` and ``reports`` are pure table functions.
"""

__version__ = "0.1.0"
