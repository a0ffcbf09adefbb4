"""Geography: the area hierarchy, area assignment, coordinate systems."""
