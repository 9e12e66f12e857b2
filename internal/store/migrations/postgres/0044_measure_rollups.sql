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
ALTER TABLE incidents ADD COLUMN mtta BIGINT;
ALTER TABLE incidents ADD COLUMN stakeholder_notices BIGINT NOT NULL DEFAULT 0;
ALTER TABLE status_updates ADD COLUMN next_at BIGINT;
ALTER TABLE status_updates ADD COLUMN cadence_severity TEXT NOT NULL DEFAULT '';

CREATE TABLE measure_bins (
	measure TEXT NOT NULL,
	k       TEXT NOT NULL,
	bin     BIGINT NOT NULL,
	day     BIGINT NOT NULL,
	n       BIGINT NOT NULL,
	total   BIGINT NOT NULL,
	PRIMARY KEY (measure, k, bin, day)
);
-- Pages per person: one row per person and UTC day, slots a string of 96
-- characters, one per quarter hour, each the count of pages that reached
-- them plus 48 (character '0'), so out of hours is judged when the report
-- runs, in the hours it is asked for.
CREATE TABLE measure_person_pages (
	user_id TEXT NOT NULL,
	day     BIGINT NOT NULL,
	slots   TEXT NOT NULL,
	PRIMARY KEY (day, user_id)
);

-- The refinement of a percentile reads one bin's rows by value.
CREATE INDEX pages_ack_time ON pages (incident_role, (acked_at - first_seen), first_seen) WHERE incident_role <> '' AND acked_at IS NOT NULL;
CREATE INDEX incidents_mtta ON incidents (severity, mtta, declared_at) WHERE practice_run_id = '' AND mtta IS NOT NULL;
CREATE INDEX incidents_mttr ON incidents (severity, (resolved_at - COALESCE(impact_started_at, declared_at)), declared_at) WHERE practice_run_id = '' AND resolved_at IS NOT NULL;
-- The open intervals (an update with none after it, not to Resolved)
-- run to now.
CREATE INDEX status_updates_open ON status_updates (created_at) WHERE next_at IS NULL AND status <> 'resolved';
-- An incident's public updates, when its severity changes.
CREATE INDEX status_incidents_incident ON status_incidents (incident_id);

-- A value's bin (the same arithmetic as store.valueBin).
CREATE FUNCTION measure_bin(v BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v <= 0 THEN 0 WHEN v <= 7200000000 THEN (v + 59999999) / 60000000 WHEN v <= 172800000000 THEN 120 + (v - 7200000000 + 899999999) / 900000000 ELSE 304 + (v - 172800000000 + 3599999999) / 3600000000 END
$$;
-- Fill what the rows already hold.
UPDATE incidents SET mtta = (SELECT MIN(p.acked_at) - MIN(p.first_seen) FROM pages p WHERE p.incident_id = incidents.id);
UPDATE incidents SET stakeholder_notices = (SELECT COUNT(*) FROM timeline t WHERE t.incident_id = incidents.id AND t.data LIKE '%"stakeholder_notice":true%');
UPDATE status_updates u SET next_at = x.nxt FROM (SELECT id, LEAD(created_at) OVER (PARTITION BY status_incident_id ORDER BY created_at, id) AS nxt FROM status_updates) x
	WHERE x.id = u.id AND x.nxt IS NOT NULL;
UPDATE status_updates u SET cadence_severity = i.severity FROM status_incidents s JOIN incidents i ON i.id = s.incident_id
	WHERE s.id = u.status_incident_id AND i.practice_run_id = '';
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
SELECT u, d, chr(CAST(48 + SUM(CASE WHEN s = 0 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 1 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 2 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 3 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 4 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 5 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 6 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 7 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 8 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 9 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 10 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 11 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 12 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 13 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 14 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 15 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 16 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 17 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 18 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 19 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 20 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 21 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 22 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 23 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 24 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 25 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 26 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 27 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 28 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 29 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 30 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 31 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 32 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 33 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 34 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 35 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 36 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 37 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 38 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 39 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 40 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 41 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 42 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 43 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 44 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 45 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 46 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 47 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 48 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 49 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 50 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 51 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 52 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 53 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 54 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 55 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 56 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 57 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 58 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 59 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 60 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 61 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 62 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 63 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 64 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 65 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 66 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 67 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 68 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 69 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 70 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 71 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 72 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 73 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 74 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 75 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 76 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 77 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 78 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 79 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 80 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 81 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 82 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 83 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 84 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 85 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 86 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 87 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 88 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 89 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 90 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 91 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 92 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 93 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 94 THEN 1 ELSE 0 END) AS INTEGER)) || chr(CAST(48 + SUM(CASE WHEN s = 95 THEN 1 ELSE 0 END) AS INTEGER))
FROM (SELECT DISTINCT n.user_id AS u, p.id AS page, p.first_seen / 86400000000 AS d, (p.first_seen % 86400000000) / 900000000 AS s
	FROM pages p JOIN notifications n ON n.page_id = p.id AND NOT n.shadow) x GROUP BY u, d;

-- Role pages (the requests to find cover left out) and, for their
-- incident, the time from its first page to its first acknowledgement.
CREATE FUNCTION measure_pages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF OLD.incident_role <> '' AND OLD.dedup_key <> 'incident/' || OLD.incident_id || '/' || OLD.incident_role || '/cover' THEN
			UPDATE measure_bins SET n = n - 1, total = total - COALESCE(OLD.acked_at - OLD.first_seen, 0)
			WHERE measure = 'ack' AND k = OLD.incident_role AND day = OLD.first_seen / 86400000000
				AND bin = CASE WHEN OLD.acked_at IS NULL THEN -1 ELSE measure_bin(OLD.acked_at - OLD.first_seen) END;
		END IF;
		IF OLD.incident_id IS NOT NULL AND OLD.incident_id IS DISTINCT FROM NEW.incident_id THEN
			UPDATE incidents SET mtta = x.v FROM (SELECT MIN(acked_at) - MIN(first_seen) AS v FROM pages WHERE incident_id = OLD.incident_id) x
			WHERE id = OLD.incident_id AND mtta IS DISTINCT FROM x.v;
		END IF;
	END IF;
	IF NEW.incident_role <> '' AND NEW.dedup_key <> 'incident/' || NEW.incident_id || '/' || NEW.incident_role || '/cover' THEN
		INSERT INTO measure_bins AS b (measure, k, bin, day, n, total)
		VALUES ('ack', NEW.incident_role, CASE WHEN NEW.acked_at IS NULL THEN -1 ELSE measure_bin(NEW.acked_at - NEW.first_seen) END,
			NEW.first_seen / 86400000000, 1, COALESCE(NEW.acked_at - NEW.first_seen, 0))
		ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = b.n + 1, total = b.total + excluded.total;
	END IF;
	IF NEW.incident_id IS NOT NULL THEN
		UPDATE incidents SET mtta = x.v FROM (SELECT MIN(acked_at) - MIN(first_seen) AS v FROM pages WHERE incident_id = NEW.incident_id) x
		WHERE id = NEW.incident_id AND mtta IS DISTINCT FROM x.v;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER measure_pages AFTER INSERT OR UPDATE OF acked_at, first_seen, incident_id, incident_role, dedup_key ON pages
FOR EACH ROW EXECUTE FUNCTION measure_pages();

-- Who a page reached: the first notification of a page to a person that
-- is not a shadow's counts one in the quarter hour the page was raised.
-- Before the insert, so that of several in one statement the first counts.
CREATE FUNCTION measure_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	d BIGINT;
	s INTEGER;
BEGIN
	IF NEW.shadow OR EXISTS (SELECT 1 FROM notifications x WHERE x.page_id = NEW.page_id AND x.user_id = NEW.user_id AND NOT x.shadow AND x.id <> NEW.id) THEN
		RETURN NEW;
	END IF;
	SELECT first_seen / 86400000000, (first_seen % 86400000000) / 900000000 INTO d, s FROM pages WHERE id = NEW.page_id;
	IF d IS NULL THEN
		RETURN NEW;
	END IF;
	INSERT INTO measure_person_pages AS m (user_id, day, slots) VALUES (NEW.user_id, d, '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000')
	ON CONFLICT (day, user_id) DO NOTHING;
	UPDATE measure_person_pages SET slots = substr(slots, 1, s) || chr(ascii(substr(slots, s + 1, 1)) + 1) || substr(slots, s + 2)
	WHERE user_id = NEW.user_id AND day = d;
	RETURN NEW;
END $$;
CREATE TRIGGER measure_notifications BEFORE INSERT ON notifications
FOR EACH ROW EXECUTE FUNCTION measure_notifications();

-- An incident's own measures, when it is not a practice (R63).
CREATE FUNCTION measure_incident_add(r incidents, sign BIGINT, all_parts BOOLEAN, mttr BOOLEAN, mtta BOOLEAN, notices BOOLEAN) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	d BIGINT := r.declared_at / 86400000000;
	v BIGINT := r.resolved_at - COALESCE(r.impact_started_at, r.declared_at);
BEGIN
	IF r.practice_run_id <> '' THEN
		RETURN;
	END IF;
	IF all_parts OR mttr THEN
	INSERT INTO measure_bins AS b (measure, k, bin, day, n, total)
	VALUES ('mttr', r.severity, CASE WHEN r.resolved_at IS NULL THEN -1 ELSE measure_bin(v) END, d, sign, sign * COALESCE(v, 0))
	ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = b.n + excluded.n, total = b.total + excluded.total;
	END IF;
	IF (all_parts OR mtta) AND r.mtta IS NOT NULL THEN
		INSERT INTO measure_bins AS b (measure, k, bin, day, n, total) VALUES ('mtta', r.severity, measure_bin(r.mtta), d, sign, sign * r.mtta)
		ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = b.n + excluded.n, total = b.total + excluded.total;
	END IF;
	IF all_parts THEN
		INSERT INTO measure_bins AS b (measure, k, bin, day, n, total) VALUES ('notices', '', -1, d, sign, 0)
		ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = b.n + excluded.n, total = b.total + excluded.total;
	END IF;
	IF (all_parts OR notices) AND r.stakeholder_notices > 0 THEN
		INSERT INTO measure_bins AS b (measure, k, bin, day, n, total) VALUES ('notices', '', 0, d, sign * r.stakeholder_notices, 0)
		ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = b.n + excluded.n, total = b.total + excluded.total;
	END IF;
END $$;
CREATE FUNCTION measure_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	all_parts BOOLEAN := TRUE;
	mttr BOOLEAN := FALSE;
	mtta BOOLEAN := FALSE;
	notices BOOLEAN := FALSE;
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF OLD.severity IS NOT DISTINCT FROM NEW.severity AND OLD.declared_at IS NOT DISTINCT FROM NEW.declared_at
			AND OLD.resolved_at IS NOT DISTINCT FROM NEW.resolved_at AND OLD.impact_started_at IS NOT DISTINCT FROM NEW.impact_started_at
			AND OLD.practice_run_id IS NOT DISTINCT FROM NEW.practice_run_id AND OLD.mtta IS NOT DISTINCT FROM NEW.mtta
			AND OLD.stakeholder_notices IS NOT DISTINCT FROM NEW.stakeholder_notices THEN
			RETURN NULL;
		END IF;
		-- A change of severity, declaration or practice moves everything;
		-- another only its own bins.
		all_parts := OLD.severity IS DISTINCT FROM NEW.severity OR OLD.declared_at IS DISTINCT FROM NEW.declared_at
			OR OLD.practice_run_id IS DISTINCT FROM NEW.practice_run_id;
		mttr := OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.impact_started_at IS DISTINCT FROM NEW.impact_started_at;
		mtta := OLD.mtta IS DISTINCT FROM NEW.mtta;
		notices := OLD.stakeholder_notices IS DISTINCT FROM NEW.stakeholder_notices;
		PERFORM measure_incident_add(OLD, -1, all_parts, mttr, mtta, notices);
	END IF;
	PERFORM measure_incident_add(NEW, 1, all_parts, mttr, mtta, notices);
	IF TG_OP = 'UPDATE' AND (OLD.severity IS DISTINCT FROM NEW.severity OR OLD.practice_run_id IS DISTINCT FROM NEW.practice_run_id) THEN
		-- The cadence follows the incident's severity now.
		UPDATE status_updates SET cadence_severity = CASE WHEN NEW.practice_run_id = '' THEN NEW.severity ELSE '' END
		WHERE status_incident_id IN (SELECT id FROM status_incidents WHERE incident_id = NEW.id)
			AND cadence_severity <> CASE WHEN NEW.practice_run_id = '' THEN NEW.severity ELSE '' END;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER measure_incidents AFTER INSERT OR UPDATE OF severity, declared_at, resolved_at, impact_started_at, practice_run_id, mtta, stakeholder_notices ON incidents
FOR EACH ROW EXECUTE FUNCTION measure_incidents();

-- Stakeholder notices: the timeline is append-only.
CREATE FUNCTION measure_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.data LIKE '%"stakeholder_notice":true%' AND NEW.incident_id IS NOT NULL THEN
		UPDATE incidents SET stakeholder_notices = stakeholder_notices + 1 WHERE id = NEW.incident_id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER measure_timeline AFTER INSERT ON timeline
FOR EACH ROW EXECUTE FUNCTION measure_timeline();

-- Public updates: each knows the time of the next (next_at, in the order
-- of created_at, id) and its incident's severity when it is not a
-- practice (cadence_severity, '' otherwise); each closed interval is
-- counted in its bin.
CREATE FUNCTION measure_next_update(u TEXT) RETURNS void LANGUAGE sql AS $$
	UPDATE status_updates s SET next_at = x.v FROM (SELECT (SELECT n.created_at FROM status_updates n
		WHERE n.status_incident_id = o.status_incident_id AND (n.created_at, n.id) > (o.created_at, o.id) ORDER BY n.created_at, n.id LIMIT 1) AS v
		FROM status_updates o WHERE o.id = u) x
	WHERE s.id = u AND s.next_at IS DISTINCT FROM x.v;
$$;
CREATE FUNCTION measure_status_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE status_updates SET cadence_severity = COALESCE((SELECT i.severity FROM status_incidents s JOIN incidents i ON i.id = s.incident_id
			WHERE s.id = NEW.status_incident_id AND i.practice_run_id = ''), '') WHERE id = NEW.id;
		PERFORM measure_next_update(NEW.id);
		PERFORM measure_next_update((SELECT p.id FROM status_updates p WHERE p.status_incident_id = NEW.status_incident_id
			AND (p.created_at, p.id) < (NEW.created_at, NEW.id) ORDER BY p.created_at DESC, p.id DESC LIMIT 1));
		RETURN NULL;
	END IF;
	IF OLD.next_at IS NOT DISTINCT FROM NEW.next_at AND OLD.cadence_severity = NEW.cadence_severity AND OLD.status = NEW.status
		AND OLD.next_update_in = NEW.next_update_in AND OLD.created_at = NEW.created_at THEN
		RETURN NULL;
	END IF;
	IF OLD.next_at IS NOT NULL AND OLD.cadence_severity <> '' AND OLD.status <> 'resolved' THEN
		UPDATE measure_bins SET n = n - 1, total = total - (OLD.next_at - OLD.created_at)
		WHERE measure = 'cadence' AND k = OLD.status || ':' || OLD.cadence_severity || ':' || OLD.next_update_in
			AND bin = measure_bin(OLD.next_at - OLD.created_at) AND day = OLD.created_at / 86400000000;
	END IF;
	IF NEW.next_at IS NOT NULL AND NEW.cadence_severity <> '' AND NEW.status <> 'resolved' THEN
		INSERT INTO measure_bins AS b (measure, k, bin, day, n, total)
		VALUES ('cadence', NEW.status || ':' || NEW.cadence_severity || ':' || NEW.next_update_in, measure_bin(NEW.next_at - NEW.created_at),
			NEW.created_at / 86400000000, 1, NEW.next_at - NEW.created_at)
		ON CONFLICT (measure, k, bin, day) DO UPDATE SET n = b.n + 1, total = b.total + excluded.total;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER measure_status_updates AFTER INSERT OR UPDATE OF next_at, cadence_severity, status, next_update_in, created_at ON status_updates
FOR EACH ROW EXECUTE FUNCTION measure_status_updates();
