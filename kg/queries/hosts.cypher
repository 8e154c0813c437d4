// Who hosts whose models and products (platform -> hosted), with the maker where known.
MATCH (host:Entity)-[r:HOSTS]->(hosted:Entity)
OPTIONAL MATCH (maker:Entity)-[:DEVELOPS]->(hosted)
RETURN host.name AS host, hosted.name AS hosted, collect(DISTINCT maker.name) AS makers,
       r.support AS support, r.modality AS modality
ORDER BY support DESC, host, hosted
