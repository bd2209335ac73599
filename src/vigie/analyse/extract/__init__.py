"""vigie.analyse.extract."""
