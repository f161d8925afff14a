"""Training of the skill-mapping sentence encoder and loading of its committed artifact.

``packaged_encoder_dir()`` is the one entry point the engine needs; the training itself
lives in ``scripts/train_encoder.py`` and is never imported at run time.
"""

from skillgap.nlp.training.artifact import packaged_encoder_dir

__all__ = ["packaged_encoder_dir"]
