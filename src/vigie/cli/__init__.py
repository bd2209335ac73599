"""vigie.cli."""
