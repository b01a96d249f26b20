"""whitecell.policies layer."""
