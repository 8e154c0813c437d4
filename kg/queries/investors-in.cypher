// Who invests in an organisation, with amounts, support and modality.
// params: name
MATCH (inv:Entity)-[r:INVESTS_IN]->(org:Entity)
WHERE org.name = $name OR $name IN org.aliases
RETURN inv.name AS investor, org.name AS investee, r.amount_usd AS amount_usd,
       r.support AS support, r.modality AS modality, r.first_seen AS first_seen
ORDER BY support DESC, investor
