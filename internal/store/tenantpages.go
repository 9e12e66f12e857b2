package store

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Private status pages of tenants (tenantpage.go, migration 0031). Every
// change here bumps the status version, as the tenant links that a page
// is built from do (tenants.go): the page cache rebuilds the private pages
// with the public one, before the write returns, so a rotated URL stops
// when the rotation's answer goes out.

// tenantPage reads a tenant's page settings; a tenant without a row has
// no URL and sign-in off.
func (tx *tx) tenantPage(ctx context.Context, t herald.Tenant) (herald.TenantPage, error) {
	p := herald.TenantPage{Tenant: t.ID, TenantName: t.Name}
	var hash sql.NullString
	var rotated sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT token_hash, sign_in, rotated_at FROM tenant_pages WHERE tenant_id = $1`, t.ID).Scan(&hash, &p.SignIn, &rotated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read tenant page: %w", err)
	}
	p.HasURL = hash.Valid && hash.String != ""
	p.RotatedAt = fromNullMicros(rotated)
	return p, nil
}

// TenantPage reads a tenant's private page settings.
func (db *TenantService) TenantPage(ctx context.Context, ref string) (herald.TenantPage, error) {
	var p herald.TenantPage
	err := db.read(ctx, func(tx *tx) error {
		t, err := tx.tenant(ctx, ref)
		if err != nil {
			return err
		}
		p, err = tx.tenantPage(ctx, t)
		return err
	})
	return p, err
}

// RotateTenantPage makes a new token for the tenant's page. Tokens are
// 256 random bits, stored as their SHA-256 (hashToken), like API tokens.
func (db *TenantService) RotateTenantPage(ctx context.Context, actor herald.Actor, ref string) (herald.TenantPage, error) {
	raw := make([]byte, herald.TenantPageTokenBytes)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	var p herald.TenantPage
	err := db.write(ctx, func(tx *tx) error {
		t, err := tx.tenant(ctx, ref)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_pages (tenant_id, token_hash, sign_in, rotated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET token_hash = excluded.token_hash, rotated_at = excluded.rotated_at`,
			t.ID, hashToken(token), false, micros(tx.now)); err != nil {
			return fmt.Errorf("rotate tenant page: %w", err)
		}
		if p, err = tx.tenantPage(ctx, t); err != nil {
			return err
		}
		return tx.bumpStatusVersion(ctx)
	})
	if err != nil {
		return herald.TenantPage{}, err
	}
	p.URL = db.links.PrivatePage(token)
	db.log.Info("tenant page URL rotated", "tenant", p.Tenant, "by", actor.User.ID)
	return p, nil
}

// SetTenantPageSignIn turns the page's e-mail sign-in on or off.
func (db *TenantService) SetTenantPageSignIn(ctx context.Context, actor herald.Actor, ref string, on bool) (herald.TenantPage, error) {
	if on && len(db.secretKey) != 32 {
		return herald.TenantPage{}, herald.Errorf(herald.EUnprocessable, "sign-in needs a server key to sign its cookies and seal its links: set HERALD_SECRET_KEY on every instance")
	}
	var p herald.TenantPage
	err := db.write(ctx, func(tx *tx) error {
		t, err := tx.tenant(ctx, ref)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_pages (tenant_id, sign_in) VALUES ($1, $2)
			ON CONFLICT (tenant_id) DO UPDATE SET sign_in = excluded.sign_in`, t.ID, on); err != nil {
			return fmt.Errorf("set tenant page sign-in: %w", err)
		}
		if p, err = tx.tenantPage(ctx, t); err != nil {
			return err
		}
		return tx.bumpStatusVersion(ctx)
	})
	if err == nil {
		db.log.Info("tenant page sign-in set", "tenant", p.Tenant, "sign_in", on, "by", actor.User.ID)
	}
	return p, err
}

// TenantPageSources reads every tenant with a page URL and what links it
// to the status page: four queries whatever the number of tenants.
func (db *TenantService) TenantPageSources(ctx context.Context) ([]herald.TenantPageSource, error) {
	var out []herald.TenantPageSource
	err := db.read(ctx, func(tx *tx) error {
		out = nil
		list, err := tx.queryTenants(ctx, `SELECT `+prefixed("t.", tenantColumns)+` FROM tenants t JOIN tenant_pages p ON p.tenant_id = t.id
			WHERE t.deleted_at IS NULL AND p.token_hash IS NOT NULL ORDER BY t.name`)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return nil
		}
		byID := map[string]*herald.TenantPageSource{}
		out = make([]herald.TenantPageSource, len(list))
		for i, t := range list {
			out[i] = herald.TenantPageSource{Tenant: t.ID, Name: t.Name, Emails: t.Emails, Components: t.Components,
				Incidents: []string{}, Maintenances: []string{}}
			byID[t.ID] = &out[i]
		}
		rows, err := tx.QueryContext(ctx, `SELECT tenant_id, token_hash, sign_in FROM tenant_pages WHERE token_hash IS NOT NULL`)
		if err != nil {
			return fmt.Errorf("read tenant pages: %w", err)
		}
		for rows.Next() {
			var id, hash string
			var on bool
			if err := rows.Scan(&id, &hash, &on); err != nil {
				rows.Close()
				return fmt.Errorf("read tenant pages: %w", err)
			}
			if s := byID[id]; s != nil {
				s.TokenHash, s.SignIn, s.SessionKey = hash, on, db.sessionKey(hash)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, q := range []struct {
			sql string
			add func(*herald.TenantPageSource, string)
		}{
			{`SELECT tenant_id, incident_id FROM incident_tenants ORDER BY tenant_id, incident_id`, func(s *herald.TenantPageSource, v string) { s.Incidents = append(s.Incidents, v) }},
			{`SELECT tenant_id, maintenance_id FROM maintenance_tenants ORDER BY tenant_id, maintenance_id`, func(s *herald.TenantPageSource, v string) { s.Maintenances = append(s.Maintenances, v) }},
		} {
			rows, err := tx.QueryContext(ctx, q.sql)
			if err != nil {
				return fmt.Errorf("read tenant links: %w", err)
			}
			for rows.Next() {
				var id, v string
				if err := rows.Scan(&id, &v); err != nil {
					rows.Close()
					return fmt.Errorf("read tenant links: %w", err)
				}
				if s := byID[id]; s != nil {
					q.add(s, v)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// prefixed puts a table alias before each column of a list.
func prefixed(alias, columns string) string {
	var out []byte
	for i, c := range splitColumns(columns) {
		if i > 0 {
			out = append(out, ", "...)
		}
		out = append(out, alias+c...)
	}
	return string(out)
}

func splitColumns(columns string) []string {
	var out []string
	cur := []byte{}
	for _, r := range []byte(columns + ",") {
		switch r {
		case ',':
			if len(cur) > 0 {
				out = append(out, string(cur))
			}
			cur = cur[:0]
		case ' ', '\n', '\t':
		default:
			cur = append(cur, r)
		}
	}
	return out
}

// tenantPageSessionLabel derives the key that signs a private page's
// sign-in cookies from the server key (HKDF), per page token.
const tenantPageSessionLabel = "herald tenant page session"

// sessionKey is the key of one page's cookies, or nil without a server key.
func (db *core) sessionKey(tokenHash string) []byte {
	if len(db.secretKey) != 32 {
		return nil
	}
	key, err := hkdf.Key(sha256.New, db.secretKey, []byte(tokenHash), tenantPageSessionLabel, 32)
	if err != nil {
		return nil
	}
	return key
}

// LaneSignIn holds the mails that carry private page sign-in links: a lane
// of its own (table tenant_page_signins), so they wait for no broadcast
// and no page waits for them.
const LaneSignIn Lane = "signin"

// SignInNotice is what a sign-in mail carries.
type SignInNotice struct {
	herald.Notice
}

// signInsPerAddress bounds the links mailed to one address in
// TenantPageSignInTTL: more requests are dropped silently (the answer is
// the same), so the page cannot be used to flood a customer's inbox.
const signInsPerAddress = 3

// RequestTenantPageSignIn queues a sign-in mail to an operational address
// of the tenant. The check and the insert are one transaction whatever
// the address, and an address that is not the tenant's leaves no row.
func (db *TenantService) RequestTenantPageSignIn(ctx context.Context, tenant, address, pageURL string) error {
	address = strings.TrimSpace(address)
	raw := make([]byte, herald.TenantPageTokenBytes)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	link := strings.TrimSuffix(pageURL, "/") + "/sign-in?token=" + token
	sealed, err := db.seal(link)
	if err != nil {
		return err
	}
	queued := false
	err = db.write(ctx, func(tx *tx) error {
		queued = false
		t, err := tx.tenant(ctx, tenant)
		if err != nil {
			return err
		}
		var to string
		for _, e := range t.Emails {
			if strings.EqualFold(e, address) {
				to = e
			}
		}
		// Rows older than a day are of no use: spent, sent or expired.
		if _, err := tx.ExecContext(ctx, `DELETE FROM tenant_page_signins WHERE created_at < $1 AND status <> 'pending'`, micros(tx.now.Add(-24*time.Hour))); err != nil {
			return fmt.Errorf("expire sign-ins: %w", err)
		}
		var recent int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tenant_page_signins WHERE address = $1 AND created_at > $2`,
			strings.ToLower(to), micros(tx.now.Add(-herald.TenantPageSignInTTL))).Scan(&recent); err != nil {
			return fmt.Errorf("count sign-ins: %w", err)
		}
		if to == "" || recent >= signInsPerAddress {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_page_signins (id, tenant_id, token_hash, address, link_enc, created_at, status, due_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'pending', $6)`, newID(), t.ID, hashToken(token), strings.ToLower(to), sealed, micros(tx.now)); err != nil {
			return fmt.Errorf("queue sign-in: %w", err)
		}
		queued = true
		return nil
	})
	if queued {
		db.kickBulk()
	}
	return err
}

// UseTenantPageSignIn spends a sign-in token: once, within the TTL, for
// its tenant only.
func (db *TenantService) UseTenantPageSignIn(ctx context.Context, tenant, token string) (bool, error) {
	ok := false
	err := db.write(ctx, func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tenant_page_signins SET used_at = $1 WHERE token_hash = $2 AND tenant_id = $3 AND used_at IS NULL AND created_at > $4`,
			micros(tx.now), hashToken(token), tenant, micros(tx.now.Add(-herald.TenantPageSignInTTL)))
		if err != nil {
			return fmt.Errorf("use sign-in: %w", err)
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}

// prepareSignIn reads what a sign-in mail needs; one whose link has
// expired before it could go is cancelled.
func (tx *tx) prepareSignIn(ctx context.Context, o *Outgoing) (bool, error) {
	var sealed string
	var created int64
	if err := tx.QueryRowContext(ctx, `SELECT address, link_enc, created_at FROM tenant_page_signins WHERE id = $1`, o.ID).Scan(&o.Target, &sealed, &created); err != nil {
		return false, dbErr("read sign-in mail", err)
	}
	o.Kind = "email"
	if tx.now.Sub(fromMicros(created)) >= herald.TenantPageSignInTTL {
		_, err := tx.ExecContext(ctx, `UPDATE tenant_page_signins SET status = 'cancelled', claimed_until = NULL, last_error = $1 WHERE id = $2`, "expired before it could be sent", o.ID)
		return true, dbErr("cancel sign-in mail", err)
	}
	link, err := tx.db.open(sealed)
	if err != nil {
		return false, fmt.Errorf("open the sign-in link: %w", err)
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return false, dbErr("read settings", err)
	}
	o.SignIn = &SignInNotice{Notice: herald.TenantPageSignInNotice(s.Page.Name, link)}
	return false, nil
}
