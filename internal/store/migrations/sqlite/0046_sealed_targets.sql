-- Webhook, Slack and Teams URLs of contact methods and subscribers are
-- credentials (their path lets anyone post): target_enc holds the URL
-- encrypted with the server key (secrets.go), target only its masked form
-- (herald.MaskURL), and a subscriber's target_hash a keyed hash of the URL
-- (targets.go) that keeps one subscription per URL and finds it again.
-- E-mail addresses, phone numbers and Slack member ids stay in target,
-- with target_enc and target_hash empty. Rows written before are sealed
-- by a Go step after the migrations (store.sealTargets).
ALTER TABLE contact_methods ADD COLUMN target_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN target_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN target_hash TEXT NOT NULL DEFAULT '';
DROP INDEX subscribers_target;
CREATE UNIQUE INDEX subscribers_target ON subscribers (kind, target_hash, target, COALESCE(tenant_id, '')) WHERE unsubscribed_at IS NULL;
