// Shortest path between two entities, with the evidence sentence of every hop.
// params: source, target
MATCH (a:Entity), (b:Entity)
WHERE (a.name = $source OR $source IN a.aliases) AND (b.name = $target OR $target IN b.aliases)
MATCH p = shortestPath((a)-[*..6]-(b))
WHERE NONE(r IN relationships(p) WHERE type(r) = 'MENTIONS')
RETURN [n IN nodes(p) | n.name] AS entities,
       [r IN relationships(p) | type(r)] AS relations,
       [r IN relationships(p) | r.evidence[0]] AS evidence
LIMIT 1
