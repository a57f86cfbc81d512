"""What can be wrong with a map or a places file. Each is a WorldError (a ConfigurationError):
a node refuses to start with the one line, a service call gets it as its reason."""

from __future__ import annotations

from robot_brain.core.errors import WorldError


class MapError(WorldError):
    """A map (YAML + image) that cannot be used; the message names the file and what is wrong."""


class MapMetadataError(MapError):
    """The map YAML: a field missing, of the wrong type, or out of range."""


class MapImageError(MapError):
    """The map image: missing, unreadable, truncated, or of a kind map_server does not read."""


class MapTooLargeError(MapImageError):
    """The image has more cells than the brain will hold (checked from its header, before the
    pixels are read)."""


class PlacesFileError(WorldError):
    """A places file, or a place saved at run time, that cannot be used: the message names the
    place and why (outside the map, in an obstacle, a duplicate name or alias, ...)."""
