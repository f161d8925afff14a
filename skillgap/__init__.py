"""skillgap: labour-market skills intelligence for micro-credential planning.

Layers (dependencies point one way): ``flows`` -> (``ingest``, ``nlp``, ``gaps``,
``reports``) -> ``taxonomies``. ``gaps`` and ``reports`` are pure table functions.
"""

__version__ = "0.1.0"
