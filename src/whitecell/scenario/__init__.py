"""whitecell.scenario layer."""
