"""whitecell.record layer."""
