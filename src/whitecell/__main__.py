"""``python -m whitecell``: the ``whitecell`` command."""

from whitecell.cli import main

main()
