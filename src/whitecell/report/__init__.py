"""whitecell.report layer."""
