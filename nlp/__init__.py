"""nlp layer; see DESIGN.md."""
