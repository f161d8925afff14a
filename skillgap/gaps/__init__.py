"""gaps layer; see DESIGN.md."""
