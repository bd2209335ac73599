"""vigie.act."""
