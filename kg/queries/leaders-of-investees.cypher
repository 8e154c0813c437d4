// People who lead or founded organisations that an investor put money into.
// params: name
MATCH (x:Entity)-[:INVESTS_IN]->(org:Organization)<-[r:LEADS|FOUNDED]-(p:Person)
WHERE x.name = $name OR $name IN x.aliases
RETURN p.name AS person, type(r) AS relation, org.name AS organization
ORDER BY organization, person
