// Shortest path between two entities, with the evidence sentence of every hop.
// params: source, target
MATCH (a:Entity) WHERE a.name = $source OR $source IN a.aliases
MATCH (b:Entity) WHERE b.name = $target OR $target IN b.aliases
MATCH p = (a)-[:INVESTS_IN|ACQUIRES|PARTNERS_WITH|HOSTS|DEVELOPS|RIVALS|LEADS|FOUNDED|WORKS_FOR|OWNS|SUPPLIES* SHORTEST 1..6]-(b)
RETURN list_transform(nodes(p), n -> n.name) AS entities,
       list_transform(rels(p), r -> label(r)) AS relations,
       list_transform(rels(p), r -> r.evidence[1]) AS evidence
LIMIT 1
