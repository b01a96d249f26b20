"""whitecell.world layer."""
