"""flows layer; see DESIGN.md."""
