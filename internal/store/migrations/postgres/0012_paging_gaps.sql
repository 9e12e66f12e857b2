-- Paging gaps by kind (someone without a working contact method, a level
-- that reached nobody...), counted in the transaction that meets them, so
-- herald_paging_gaps_total is the same on every instance.
CREATE TABLE paging_gaps (
	kind  TEXT PRIMARY KEY,
	count BIGINT NOT NULL
);
