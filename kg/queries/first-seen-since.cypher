// Relations first seen (by publication date) on or after a date (YYYY-MM-DD).
// params: since
MATCH (a:Entity)-[r]->(b:Entity)
WHERE r.first_seen >= date($since)
RETURN r.first_seen AS first_seen, a.name AS source, type(r) AS relation, b.name AS target,
       r.support AS support
ORDER BY first_seen, source, relation, target
