"""Text -> ESCO: segmentation, requirement detection, lexical + semantic matching, fusion,
occupations and the sentence encoders. The only layer that knows models."""
