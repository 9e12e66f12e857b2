-- The measures report (R62) reads roll-ups instead of the rows: a year of
-- 100,000 incidents is some 375,000 page-and-person pairs, 200,000
-- updates and 150,000 role pages, and reading them took seconds. The
-- triggers below keep the roll-ups in the transaction that writes the
-- rows, whatever statement writes them; this migration fills them from
-- the rows already there. docs/MEASURES.md says how the report uses them.
--
-- measure_bins counts values per measure, key, value bin and UTC day
-- (micros / 86400000000): 'ack' role pages by role (bin -1: never
-- acknowledged), 'mttr' live incidents by severity (bin -1: unresolved),
-- 'mtta' live incidents with an acknowledged page by severity,
-- 'notices' live incidents (bin -1) and their stakeholder notices (bin
-- 0), 'cadence' closed
-- intervals between public updates by status:severity:announced minutes.
-- A value's bin is its whole minute (rounded up) to 2 hours, its quarter
-- hour to 48 hours, its hour after that: thresholds on those edges are
-- counted exactly from the bins, and a percentile reads only the rows of
-- its bin (store.valueBin has the same arithmetic).
ALTER TABLE incidents ADD COLUMN mtta INTEGER;
ALTER TABLE incidents ADD COLUMN stakeholder_notices INTEGER NOT NULL DEFAULT 0;
ALTER TABLE status_updates ADD COLUMN next_at INTEGER;
ALTER TABLE status_updates ADD COLUMN cadence_severity TEXT NOT NULL DEFAULT '';

CREATE TABLE measure_bins (
	measure TEXT NOT NULL,
	k       TEXT NOT NULL,
	bin     INTEGER NOT NULL,
	day     INTEGER NOT NULL,
	n       INTEGER NOT NULL,
	total   INTEGER NOT NULL,
	PRIMARY KEY (measure, k, bin, day)
) WITHOUT ROWID;
-- Pages per person: one row per person and UTC day, slots a string of 96
-- characters, one per quarter hour, each the count of pages that reached
-- them plus 48 (character '0'), so out of hours is judged when the report
-- runs, in the hours it is asked for.
CREATE TABLE measure_person_pages (
	user_id TEXT NOT NULL,
	day     INTEGER NOT NULL,
	slots   TEXT NOT NULL,
	PRIMARY KEY (day, user_id)
) WITHOUT ROWID;

-- The refinement of a percentile reads one bin's rows by value.
CREATE INDEX pages_ack_time ON pages (incident_role, (acked_at - first_seen), first_seen) WHERE incident_role <> '' AND acked_at IS NOT NULL;
CREATE INDEX incidents_mtta ON incidents (severity, mtta, declared_at) WHERE practice_run_id = '' AND mtta IS NOT NULL;
CREATE INDEX incidents_mttr ON incidents (severity, (resolved_at - COALESCE(impact_started_at, declared_at)), declared_at) WHERE practice_run_id = '' AND resolved_at IS NOT NULL;
-- The open intervals (an update with none after it, not to Resolved)
-- run to now.
CREATE INDEX status_updates_open ON status_updates (created_at) WHERE next_at IS NULL AND status <> 'resolved';
-- An incident's public updates, when its severity changes.
CREATE INDEX status_incidents_incident ON status_incidents (incident_id);
-- Fill what the rows already hold.
UPDATE incidents SET mtta = (SELECT MIN(p.acked_at) - MIN(p.first_seen) FROM pages p WHERE p.incident_id = incidents.id);
UPDATE incidents SET stakeholder_notices = (SELECT COUNT(*) FROM timeline t WHERE t.incident_id = incidents.id AND t.data LIKE '%"stakeholder_notice":true%');
UPDATE status_updates SET next_at = (SELECT n.created_at FROM status_updates n WHERE n.status_incident_id = status_updates.status_incident_id
	AND (n.created_at > status_updates.created_at OR (n.created_at = status_updates.created_at AND n.id > status_updates.id)) ORDER BY n.created_at, n.id LIMIT 1);
UPDATE status_updates SET cadence_severity = COALESCE((SELECT i.severity FROM status_incidents s JOIN incidents i ON i.id = s.incident_id
	WHERE s.id = status_updates.status_incident_id AND i.practice_run_id = ''), '');
INSERT INTO measure_bins (measure, k, bin, day, n, total)
SELECT 'ack', incident_role, CASE WHEN acked_at IS NULL THEN -1 ELSE CASE WHEN acked_at - first_seen <= 0 THEN 0 WHEN acked_at - first_seen <= 7200000000 THEN (acked_at - first_seen + 59999999) / 60000000 WHEN acked_at - first_seen <= 172800000000 THEN 120 + (acked_at - first_seen - 7200000000 + 899999999) / 900000000 ELSE 304 + (acked_at - first_seen - 172800000000 + 3599999999) / 3600000000 END END, first_seen / 86400000000, COUNT(*), COALESCE(SUM(acked_at - first_seen), 0)
FROM pages WHERE incident_role <> '' AND dedup_key <> 'incident/' || incident_id || '/' || incident_role || '/cover' GROUP BY 2, 3, 4;
INSERT INTO measure_bins (measure, k, bin, day, n, total)
SELECT 'mttr', severity, CASE WHEN resolved_at IS NULL THEN -1 ELSE CASE WHEN resolved_at - COALESCE(impact_started_at, declared_at) <= 0 THEN 0 WHEN resolved_at - COALESCE(impact_started_at, declared_at) <= 7200000000 THEN (resolved_at - COALESCE(impact_started_at, declared_at) + 59999999) / 60000000 WHEN resolved_at - COALESCE(impact_started_at, declared_at) <= 172800000000 THEN 120 + (resolved_at - COALESCE(impact_started_at, declared_at) - 7200000000 + 899999999) / 900000000 ELSE 304 + (resolved_at - COALESCE(impact_started_at, declared_at) - 172800000000 + 3599999999) / 3600000000 END END, declared_at / 86400000000, COUNT(*), COALESCE(SUM(resolved_at - COALESCE(impact_started_at, declared_at)), 0)
FROM incidents WHERE practice_run_id = '' GROUP BY 2, 3, 4;
INSERT INTO measure_bins (measure, k, bin, day, n, total)
SELECT 'mtta', severity, CASE WHEN mtta <= 0 THEN 0 WHEN mtta <= 7200000000 THEN (mtta + 59999999) / 60000000 WHEN mtta <= 172800000000 THEN 120 + (mtta - 7200000000 + 899999999) / 900000000 ELSE 304 + (mtta - 172800000000 + 3599999999) / 3600000000 END, declared_at / 86400000000, COUNT(*), SUM(mtta)
FROM incidents WHERE practice_run_id = '' AND mtta IS NOT NULL GROUP BY 2, 3, 4;
INSERT INTO measure_bins (measure, k, bin, day, n, total)
SELECT 'notices', '', 0, declared_at / 86400000000, SUM(stakeholder_notices), 0
FROM incidents WHERE practice_run_id = '' AND stakeholder_notices > 0 GROUP BY 4;
INSERT INTO measure_bins (measure, k, bin, day, n, total)
SELECT 'notices', '', -1, declared_at / 86400000000, COUNT(*), 0
FROM incidents WHERE practice_run_id = '' GROUP BY 4;
INSERT INTO measure_bins (measure, k, bin, day, n, total)
SELECT 'cadence', status || ':' || cadence_severity || ':' || next_update_in, CASE WHEN next_at - created_at <= 0 THEN 0 WHEN next_at - created_at <= 7200000000 THEN (next_at - created_at + 59999999) / 60000000 WHEN next_at - created_at <= 172800000000 THEN 120 + (next_at - created_at - 7200000000 + 899999999) / 900000000 ELSE 304 + (next_at - created_at - 172800000000 + 3599999999) / 3600000000 END, created_at / 86400000000, COUNT(*), SUM(next_at - created_at)
FROM status_updates WHERE next_at IS NOT NULL AND cadence_severity <> '' AND status <> 'resolved' GROUP BY 2, 3, 4;
INSERT INTO measure_person_pages (user_id, day, slots)
SELECT u, d, char(48 + SUM(CASE WHEN s = 0 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 1 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 2 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 3 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 4 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 5 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 6 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 7 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 8 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 9 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 10 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 11 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 12 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 13 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 14 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 15 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 16 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 17 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 18 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 19 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 20 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 21 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 22 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 23 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 24 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 25 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 26 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 27 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 28 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 29 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 30 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 31 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 32 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 33 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 34 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 35 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 36 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 37 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 38 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 39 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 40 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 41 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 42 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 43 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 44 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 45 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 46 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 47 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 48 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 49 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 50 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 51 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 52 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 53 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 54 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 55 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 56 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 57 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 58 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 59 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 60 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 61 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 62 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 63 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 64 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 65 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 66 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 67 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 68 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 69 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 70 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 71 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 72 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 73 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 74 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 75 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 76 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 77 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 78 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 79 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 80 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 81 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 82 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 83 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 84 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 85 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 86 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 87 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 88 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 89 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 90 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 91 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 92 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 93 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 94 THEN 1 ELSE 0 END), 48 + SUM(CASE WHEN s = 95 THEN 1 ELSE 0 END))
FROM (SELECT DISTINCT n.user_id AS u, p.id AS page, p.first_seen / 86400000000 AS d, (p.first_seen % 86400000000) / 900000000 AS s
	FROM pages p JOIN notifications n ON n.page_id = p.id AND NOT n.shadow) x GROUP BY u, d;

-- Role pages (the requests to find cover left out) and, for their
-- incident, the time from its first page to its first acknowledgement.
CREATE TRIGGER measure_pages_insert AFTER INSERT ON pages BEGIN
	INSERT INTO measure_bins (measure, k, bin, day, n, total)
	SELECT 'ack', NEW.incident_role, CASE WHEN NEW.acked_at IS NULL THEN -1 ELSE CASE WHEN (NEW.acked_at - NEW.first_seen) <= 0 THEN 0 WHEN (NEW.acked_at - NEW.first_seen) <= 7200000000 THEN ((NEW.acked_at - NEW.first_seen) + 59999999) / 60000000 WHEN (NEW.acked_at - NEW.first_seen) <= 172800000000 THEN 120 + ((NEW.acked_at - NEW.first_seen) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((NEW.acked_at - NEW.first_seen) - 172800000000 + 3599999999) / 3600000000 END END, NEW.first_seen / 86400000000, 1, COALESCE(NEW.acked_at - NEW.first_seen, 0)
	WHERE NEW.incident_role <> '' AND NEW.dedup_key <> 'incident/' || NEW.incident_id || '/' || NEW.incident_role || '/cover' ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + 1, total = total + excluded.total;
	UPDATE incidents SET mtta = (SELECT MIN(acked_at) - MIN(first_seen) FROM pages WHERE incident_id = NEW.incident_id)
	WHERE id = NEW.incident_id AND mtta IS NOT (SELECT MIN(acked_at) - MIN(first_seen) FROM pages WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER measure_pages_update AFTER UPDATE OF acked_at, first_seen, incident_id, incident_role, dedup_key ON pages BEGIN
	UPDATE measure_bins SET n = n - 1, total = total - COALESCE(OLD.acked_at - OLD.first_seen, 0)
	WHERE measure = 'ack' AND k = OLD.incident_role AND bin = CASE WHEN OLD.acked_at IS NULL THEN -1 ELSE CASE WHEN (OLD.acked_at - OLD.first_seen) <= 0 THEN 0 WHEN (OLD.acked_at - OLD.first_seen) <= 7200000000 THEN ((OLD.acked_at - OLD.first_seen) + 59999999) / 60000000 WHEN (OLD.acked_at - OLD.first_seen) <= 172800000000 THEN 120 + ((OLD.acked_at - OLD.first_seen) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((OLD.acked_at - OLD.first_seen) - 172800000000 + 3599999999) / 3600000000 END END AND day = OLD.first_seen / 86400000000 AND OLD.incident_role <> '' AND OLD.dedup_key <> 'incident/' || OLD.incident_id || '/' || OLD.incident_role || '/cover';
	INSERT INTO measure_bins (measure, k, bin, day, n, total)
	SELECT 'ack', NEW.incident_role, CASE WHEN NEW.acked_at IS NULL THEN -1 ELSE CASE WHEN (NEW.acked_at - NEW.first_seen) <= 0 THEN 0 WHEN (NEW.acked_at - NEW.first_seen) <= 7200000000 THEN ((NEW.acked_at - NEW.first_seen) + 59999999) / 60000000 WHEN (NEW.acked_at - NEW.first_seen) <= 172800000000 THEN 120 + ((NEW.acked_at - NEW.first_seen) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((NEW.acked_at - NEW.first_seen) - 172800000000 + 3599999999) / 3600000000 END END, NEW.first_seen / 86400000000, 1, COALESCE(NEW.acked_at - NEW.first_seen, 0)
	WHERE NEW.incident_role <> '' AND NEW.dedup_key <> 'incident/' || NEW.incident_id || '/' || NEW.incident_role || '/cover' ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + 1, total = total + excluded.total;
	UPDATE incidents SET mtta = (SELECT MIN(acked_at) - MIN(first_seen) FROM pages WHERE incident_id = NEW.incident_id)
	WHERE id = NEW.incident_id AND mtta IS NOT (SELECT MIN(acked_at) - MIN(first_seen) FROM pages WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER measure_pages_unlinked AFTER UPDATE OF incident_id ON pages WHEN OLD.incident_id IS NOT NEW.incident_id BEGIN
	UPDATE incidents SET mtta = (SELECT MIN(acked_at) - MIN(first_seen) FROM pages WHERE incident_id = OLD.incident_id)
	WHERE id = OLD.incident_id AND mtta IS NOT (SELECT MIN(acked_at) - MIN(first_seen) FROM pages WHERE incident_id = OLD.incident_id);
END;

-- Who a page reached: the first notification of a page to a person that
-- is not a shadow's counts one in the quarter hour the page was raised.
CREATE TRIGGER measure_notifications_insert BEFORE INSERT ON notifications
WHEN NOT NEW.shadow AND NOT EXISTS (SELECT 1 FROM notifications x WHERE x.page_id = NEW.page_id AND x.user_id = NEW.user_id AND NOT x.shadow AND x.id <> NEW.id)
BEGIN
	INSERT INTO measure_person_pages (user_id, day, slots) SELECT NEW.user_id, p.first_seen / 86400000000, '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'
	FROM pages p WHERE p.id = NEW.page_id ON CONFLICT (day, user_id) DO NOTHING;
	UPDATE measure_person_pages SET slots = substr(slots, 1, x.s) || char(unicode(substr(slots, x.s + 1, 1)) + 1) || substr(slots, x.s + 2)
	FROM (SELECT first_seen / 86400000000 AS d, (first_seen % 86400000000) / 900000000 AS s FROM pages WHERE id = NEW.page_id) x
	WHERE user_id = NEW.user_id AND day = x.d;
END;

-- An incident's own measures, when it is not a practice (R63).
CREATE TRIGGER measure_incidents_insert AFTER INSERT ON incidents BEGIN
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'mttr', NEW.severity, CASE WHEN NEW.resolved_at IS NULL THEN -1 ELSE CASE WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 0 THEN 0 WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 7200000000 THEN ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) + 59999999) / 60000000 WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 172800000000 THEN 120 + ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) - 172800000000 + 3599999999) / 3600000000 END END, NEW.declared_at / 86400000000, 1, COALESCE(NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at), 0)
	WHERE NEW.practice_run_id = '' ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'mtta', NEW.severity, CASE WHEN NEW.mtta <= 0 THEN 0 WHEN NEW.mtta <= 7200000000 THEN (NEW.mtta + 59999999) / 60000000 WHEN NEW.mtta <= 172800000000 THEN 120 + (NEW.mtta - 7200000000 + 899999999) / 900000000 ELSE 304 + (NEW.mtta - 172800000000 + 3599999999) / 3600000000 END, NEW.declared_at / 86400000000, 1, NEW.mtta
	WHERE NEW.practice_run_id = '' AND NEW.mtta IS NOT NULL ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'notices', '', 0, NEW.declared_at / 86400000000, NEW.stakeholder_notices, 0
	WHERE NEW.practice_run_id = '' AND NEW.stakeholder_notices > 0 ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'notices', '', -1, NEW.declared_at / 86400000000, 1, 0
	WHERE NEW.practice_run_id = '' ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
END;
-- A change of severity, declaration or practice moves everything the
-- incident counts in, and its public updates' severity; each other column
-- its own bins. Triggers by column, so that a statement compiles only
-- those it can fire (SQLite compiles triggers into each statement).
CREATE TRIGGER measure_incidents_update AFTER UPDATE OF severity, declared_at, practice_run_id ON incidents
WHEN OLD.severity IS NOT NEW.severity OR OLD.declared_at IS NOT NEW.declared_at OR OLD.practice_run_id IS NOT NEW.practice_run_id
BEGIN
	UPDATE measure_bins SET n = n - 1, total = total - COALESCE(OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at), 0)
	WHERE measure = 'mttr' AND k = OLD.severity AND bin = CASE WHEN OLD.resolved_at IS NULL THEN -1 ELSE CASE WHEN (OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) <= 0 THEN 0 WHEN (OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) <= 7200000000 THEN ((OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) + 59999999) / 60000000 WHEN (OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) <= 172800000000 THEN 120 + ((OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) - 172800000000 + 3599999999) / 3600000000 END END AND day = OLD.declared_at / 86400000000 AND OLD.practice_run_id = '';
	UPDATE measure_bins SET n = n - 1, total = total - OLD.mtta
	WHERE measure = 'mtta' AND k = OLD.severity AND bin = CASE WHEN OLD.mtta <= 0 THEN 0 WHEN OLD.mtta <= 7200000000 THEN (OLD.mtta + 59999999) / 60000000 WHEN OLD.mtta <= 172800000000 THEN 120 + (OLD.mtta - 7200000000 + 899999999) / 900000000 ELSE 304 + (OLD.mtta - 172800000000 + 3599999999) / 3600000000 END AND day = OLD.declared_at / 86400000000 AND OLD.practice_run_id = '' AND OLD.mtta IS NOT NULL;
	UPDATE measure_bins SET n = n - OLD.stakeholder_notices, total = total - 0
	WHERE measure = 'notices' AND k = '' AND bin = 0 AND day = OLD.declared_at / 86400000000 AND OLD.practice_run_id = '' AND OLD.stakeholder_notices > 0;
	UPDATE measure_bins SET n = n - 1, total = total - 0
	WHERE measure = 'notices' AND k = '' AND bin = -1 AND day = OLD.declared_at / 86400000000 AND OLD.practice_run_id = '';
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'mttr', NEW.severity, CASE WHEN NEW.resolved_at IS NULL THEN -1 ELSE CASE WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 0 THEN 0 WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 7200000000 THEN ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) + 59999999) / 60000000 WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 172800000000 THEN 120 + ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) - 172800000000 + 3599999999) / 3600000000 END END, NEW.declared_at / 86400000000, 1, COALESCE(NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at), 0)
	WHERE NEW.practice_run_id = '' ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'mtta', NEW.severity, CASE WHEN NEW.mtta <= 0 THEN 0 WHEN NEW.mtta <= 7200000000 THEN (NEW.mtta + 59999999) / 60000000 WHEN NEW.mtta <= 172800000000 THEN 120 + (NEW.mtta - 7200000000 + 899999999) / 900000000 ELSE 304 + (NEW.mtta - 172800000000 + 3599999999) / 3600000000 END, NEW.declared_at / 86400000000, 1, NEW.mtta
	WHERE NEW.practice_run_id = '' AND NEW.mtta IS NOT NULL ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'notices', '', 0, NEW.declared_at / 86400000000, NEW.stakeholder_notices, 0
	WHERE NEW.practice_run_id = '' AND NEW.stakeholder_notices > 0 ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'notices', '', -1, NEW.declared_at / 86400000000, 1, 0
	WHERE NEW.practice_run_id = '' ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
	UPDATE status_updates SET cadence_severity = CASE WHEN NEW.practice_run_id = '' THEN NEW.severity ELSE '' END
	WHERE status_incident_id IN (SELECT id FROM status_incidents WHERE incident_id = NEW.id)
		AND cadence_severity <> CASE WHEN NEW.practice_run_id = '' THEN NEW.severity ELSE '' END;
END;
CREATE TRIGGER measure_incidents_resolved AFTER UPDATE OF resolved_at, impact_started_at ON incidents
WHEN (OLD.resolved_at IS NOT NEW.resolved_at OR OLD.impact_started_at IS NOT NEW.impact_started_at)
	AND OLD.severity IS NEW.severity AND OLD.declared_at IS NEW.declared_at AND OLD.practice_run_id IS NEW.practice_run_id
BEGIN
	UPDATE measure_bins SET n = n - 1, total = total - COALESCE(OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at), 0)
	WHERE measure = 'mttr' AND k = OLD.severity AND bin = CASE WHEN OLD.resolved_at IS NULL THEN -1 ELSE CASE WHEN (OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) <= 0 THEN 0 WHEN (OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) <= 7200000000 THEN ((OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) + 59999999) / 60000000 WHEN (OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) <= 172800000000 THEN 120 + ((OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((OLD.resolved_at - COALESCE(OLD.impact_started_at, OLD.declared_at)) - 172800000000 + 3599999999) / 3600000000 END END AND day = OLD.declared_at / 86400000000 AND OLD.practice_run_id = '';
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'mttr', NEW.severity, CASE WHEN NEW.resolved_at IS NULL THEN -1 ELSE CASE WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 0 THEN 0 WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 7200000000 THEN ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) + 59999999) / 60000000 WHEN (NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) <= 172800000000 THEN 120 + ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at)) - 172800000000 + 3599999999) / 3600000000 END END, NEW.declared_at / 86400000000, 1, COALESCE(NEW.resolved_at - COALESCE(NEW.impact_started_at, NEW.declared_at), 0)
	WHERE NEW.practice_run_id = '' ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
END;
CREATE TRIGGER measure_incidents_mtta AFTER UPDATE OF mtta ON incidents
WHEN OLD.mtta IS NOT NEW.mtta AND OLD.severity IS NEW.severity AND OLD.declared_at IS NEW.declared_at AND OLD.practice_run_id IS NEW.practice_run_id
BEGIN
	UPDATE measure_bins SET n = n - 1, total = total - OLD.mtta
	WHERE measure = 'mtta' AND k = OLD.severity AND bin = CASE WHEN OLD.mtta <= 0 THEN 0 WHEN OLD.mtta <= 7200000000 THEN (OLD.mtta + 59999999) / 60000000 WHEN OLD.mtta <= 172800000000 THEN 120 + (OLD.mtta - 7200000000 + 899999999) / 900000000 ELSE 304 + (OLD.mtta - 172800000000 + 3599999999) / 3600000000 END AND day = OLD.declared_at / 86400000000 AND OLD.practice_run_id = '' AND OLD.mtta IS NOT NULL;
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'mtta', NEW.severity, CASE WHEN NEW.mtta <= 0 THEN 0 WHEN NEW.mtta <= 7200000000 THEN (NEW.mtta + 59999999) / 60000000 WHEN NEW.mtta <= 172800000000 THEN 120 + (NEW.mtta - 7200000000 + 899999999) / 900000000 ELSE 304 + (NEW.mtta - 172800000000 + 3599999999) / 3600000000 END, NEW.declared_at / 86400000000, 1, NEW.mtta
	WHERE NEW.practice_run_id = '' AND NEW.mtta IS NOT NULL ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
END;
CREATE TRIGGER measure_incidents_notices AFTER UPDATE OF stakeholder_notices ON incidents
WHEN OLD.stakeholder_notices IS NOT NEW.stakeholder_notices AND OLD.declared_at IS NEW.declared_at AND OLD.practice_run_id IS NEW.practice_run_id
BEGIN
	UPDATE measure_bins SET n = n - OLD.stakeholder_notices, total = total - 0
	WHERE measure = 'notices' AND k = '' AND bin = 0 AND day = OLD.declared_at / 86400000000 AND OLD.practice_run_id = '' AND OLD.stakeholder_notices > 0;
	INSERT INTO measure_bins (measure, k, bin, day, n, total) SELECT 'notices', '', 0, NEW.declared_at / 86400000000, NEW.stakeholder_notices, 0
	WHERE NEW.practice_run_id = '' AND NEW.stakeholder_notices > 0 ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + excluded.n, total = total + excluded.total;
END;

-- Stakeholder notices: the timeline is append-only.
CREATE TRIGGER measure_timeline_insert AFTER INSERT ON timeline
WHEN NEW.data LIKE '%"stakeholder_notice":true%' AND NEW.incident_id IS NOT NULL
BEGIN
	UPDATE incidents SET stakeholder_notices = stakeholder_notices + 1 WHERE id = NEW.incident_id;
END;

-- Public updates: each knows the time of the next (next_at, in the order
-- of created_at, id) and its incident's severity when it is not a
-- practice (cadence_severity, '' otherwise); each closed interval is
-- counted in its bin.
CREATE TRIGGER measure_status_updates_insert AFTER INSERT ON status_updates BEGIN
	UPDATE status_updates SET cadence_severity = COALESCE((SELECT i.severity FROM status_incidents s JOIN incidents i ON i.id = s.incident_id
		WHERE s.id = NEW.status_incident_id AND i.practice_run_id = ''), ''), next_at = (SELECT n.created_at FROM status_updates n WHERE n.status_incident_id = status_updates.status_incident_id
		AND (n.created_at > status_updates.created_at OR (n.created_at = status_updates.created_at AND n.id > status_updates.id)) ORDER BY n.created_at, n.id LIMIT 1) WHERE id = NEW.id;
	UPDATE status_updates SET next_at = (SELECT n.created_at FROM status_updates n WHERE n.status_incident_id = status_updates.status_incident_id
		AND (n.created_at > status_updates.created_at OR (n.created_at = status_updates.created_at AND n.id > status_updates.id)) ORDER BY n.created_at, n.id LIMIT 1)
	WHERE id = (SELECT p.id FROM status_updates p WHERE p.status_incident_id = NEW.status_incident_id
		AND (p.created_at < NEW.created_at OR (p.created_at = NEW.created_at AND p.id < NEW.id)) ORDER BY p.created_at DESC, p.id DESC LIMIT 1);
END;
CREATE TRIGGER measure_status_updates_update AFTER UPDATE OF next_at, cadence_severity, status, next_update_in, created_at ON status_updates
WHEN OLD.next_at IS NOT NEW.next_at OR OLD.cadence_severity IS NOT NEW.cadence_severity OR OLD.status IS NOT NEW.status
	OR OLD.next_update_in IS NOT NEW.next_update_in OR OLD.created_at IS NOT NEW.created_at
BEGIN
	UPDATE measure_bins SET n = n - 1, total = total - (OLD.next_at - OLD.created_at)
	WHERE measure = 'cadence' AND k = OLD.status || ':' || OLD.cadence_severity || ':' || OLD.next_update_in AND bin = CASE WHEN (OLD.next_at - OLD.created_at) <= 0 THEN 0 WHEN (OLD.next_at - OLD.created_at) <= 7200000000 THEN ((OLD.next_at - OLD.created_at) + 59999999) / 60000000 WHEN (OLD.next_at - OLD.created_at) <= 172800000000 THEN 120 + ((OLD.next_at - OLD.created_at) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((OLD.next_at - OLD.created_at) - 172800000000 + 3599999999) / 3600000000 END AND day = OLD.created_at / 86400000000 AND OLD.next_at IS NOT NULL AND OLD.cadence_severity <> '' AND OLD.status <> 'resolved';
	INSERT INTO measure_bins (measure, k, bin, day, n, total)
	SELECT 'cadence', NEW.status || ':' || NEW.cadence_severity || ':' || NEW.next_update_in, CASE WHEN (NEW.next_at - NEW.created_at) <= 0 THEN 0 WHEN (NEW.next_at - NEW.created_at) <= 7200000000 THEN ((NEW.next_at - NEW.created_at) + 59999999) / 60000000 WHEN (NEW.next_at - NEW.created_at) <= 172800000000 THEN 120 + ((NEW.next_at - NEW.created_at) - 7200000000 + 899999999) / 900000000 ELSE 304 + ((NEW.next_at - NEW.created_at) - 172800000000 + 3599999999) / 3600000000 END, NEW.created_at / 86400000000, 1, NEW.next_at - NEW.created_at
	WHERE NEW.next_at IS NOT NULL AND NEW.cadence_severity <> '' AND NEW.status <> 'resolved' ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = n + 1, total = total + excluded.total;
END;
