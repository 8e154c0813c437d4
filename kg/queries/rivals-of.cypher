// Rivals of an entity (either direction), strongest evidence first.
// params: name
MATCH (x:Entity)-[r:RIVALS]-(other:Entity)
WHERE x.name = $name OR $name IN x.aliases
RETURN other.name AS rival, r.support AS support, r.modality AS modality,
       r.first_seen AS first_seen
ORDER BY support DESC, rival
