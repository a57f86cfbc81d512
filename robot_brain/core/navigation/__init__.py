"""Global navigation: routes round walls and furniture for the reactive controller.

The controller stays reactive (sector minima in, one command out); this package only chooses
the intermediate goals it is handed, from the one world description, so a leg whose straight
line is blocked by a partition becomes a few legs the reactive layer can walk.
"""
