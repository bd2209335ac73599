"""vigie.link: entity graph, same-operator ad clusters, successor channels, communities."""

from vigie.link.build import VERSION, LinkCounts, LinkOptions, link_workspace
from vigie.link.graph import FORMATS, Neighbour, export_graph, neighbours, to_networkx
from vigie.link.listing import list_channels, list_clusters, list_successors
from vigie.link.minhash import MinHasher, normalise_copy
from vigie.link.resolve import channel_resolution_keys, resolution_key

__all__ = [
    "FORMATS",
    "VERSION",
    "LinkCounts",
    "LinkOptions",
    "MinHasher",
    "Neighbour",
    "channel_resolution_keys",
    "export_graph",
    "link_workspace",
    "list_channels",
    "list_clusters",
    "list_successors",
    "neighbours",
    "normalise_copy",
    "resolution_key",
    "to_networkx",
]
