"""whitecell.engine layer."""
