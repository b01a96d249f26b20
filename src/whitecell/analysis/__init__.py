"""whitecell.analysis layer."""
