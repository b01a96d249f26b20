"""whitecell: the white cell for strategic tabletop exercises and crisis wargames.

Layers (imports flow one way): scenario -> world -> models -> engine -> record
-> analysis / report / cli.
"""

__version__ = "0.1.0"
