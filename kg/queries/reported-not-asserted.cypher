// Deals (investments, acquisitions, partnerships, supply, hosting) reported but never asserted.
MATCH (a:Entity)-[r:INVESTS_IN|ACQUIRES|PARTNERS_WITH|SUPPLIES|HOSTS]->(b:Entity)
WHERE r.n_reported > 0 AND r.n_asserted = 0
RETURN a.name AS source, type(r) AS relation, b.name AS target, r.n_reported AS reported,
       r.documents AS documents
ORDER BY relation, source, target
