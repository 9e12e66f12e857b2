package store_test

// The SQLite and PostgreSQL migrations are two folders written by hand; this
// file proves they build the same database. Each dialect is migrated from
// empty and its schema read back from the catalog (sqlite_master and the
// pragmas on SQLite; information_schema and pg_catalog on PostgreSQL), then
// both are described in one model and compared line by line.
//
// What differs only in spelling between the dialects is normalised, never
// skipped:
//   - types become classes: BIGINT and INTEGER are "integer" (SQLite's
//     INTEGER is 64-bit; a 32-bit PostgreSQL integer is its own class, so it
//     shows), TEXT and VARCHAR "text", and so on. SQLite has no boolean
//     type: Herald declares booleans INTEGER there, so an SQLite integer
//     column is read as boolean where PostgreSQL's is, with 0/1 for
//     false/true in its default;
//   - INTEGER PRIMARY KEY AUTOINCREMENT and GENERATED ... AS IDENTITY are
//     both "identity";
//   - primary-key columns are NOT NULL (SQLite lets a TEXT primary key hold
//     NULL for historical reasons; Herald never writes one);
//   - UNIQUE and PRIMARY KEY constraints are compared by their columns, as
//     SQLite has no names for them (its sqlite_autoindex_* indexes) and
//     PostgreSQL names them itself; the same holds for foreign keys and
//     CHECK constraints, compared by what they say;
//   - expressions (CHECK, defaults, partial-index predicates) lose the casts
//     and grouping parentheses PostgreSQL adds, and x = ANY (ARRAY[...])
//     reads as x IN (...) (so two expressions that differ only in grouping
//     compare equal; Herald's are flat);
//   - triggers are compared by table, timing and event: SQLite needs one
//     trigger per event where PostgreSQL has one for several.
//
// Indexes made with CREATE INDEX are compared by name, columns, uniqueness
// and predicate. The order of columns is not compared: no statement relies
// on it. The rows migrations seed are (counters, and schema_migrations,
// so a migration number present in one folder only fails too).

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestSchemaParity migrates an empty database of each dialect and fails
// with every difference between the two schemas.
func TestSchemaParity(t *testing.T) {
	t.Parallel()
	lite, pg := migratedPair(t)
	if diffs := diffSchemas(lite, pg); len(diffs) > 0 {
		t.Errorf("the SQLite and PostgreSQL migrations build different schemas (%d differences); bring them together with a new migration pair (never edit an applied one):\n  %s",
			len(diffs), strings.Join(diffs, "\n  "))
	}
	if len(lite.tables) < 10 {
		t.Errorf("read only %d tables from SQLite: the catalog reader is broken", len(lite.tables))
	}
}

// TestSchemaParityReportsDrift changes each database behind the
// migrations' back and checks that every change is reported, once and
// readably: a parity test that cannot see drift proves nothing.
func TestSchemaParityReportsDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testdb.NewClock()
	lite := testdb.Open(t, store.SQLite, clock)
	pg := testdb.Open(t, store.Postgres, clock)
	for _, q := range []string{
		`CREATE INDEX incidents_title ON incidents (title)`,
		`ALTER TABLE users ADD COLUMN nickname TEXT`,
		`CREATE TABLE drift_only_sqlite (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0))`,
		`CREATE TRIGGER users_no_delete BEFORE DELETE ON users BEGIN SELECT RAISE(ABORT, 'no'); END`,
		`INSERT INTO counters (name, value) VALUES ('drift', 1)`,
	} {
		if _, err := lite.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("sqlite: %s: %v", q, err)
		}
	}
	for _, q := range []string{
		`ALTER TABLE incidents ALTER COLUMN summary DROP NOT NULL`,
		`ALTER TABLE tokens ALTER COLUMN revoked_at TYPE integer`,
		`ALTER TABLE reviews DROP CONSTRAINT reviews_kind_check`,
		`ALTER TABLE follow_ups ALTER COLUMN done SET DEFAULT TRUE`,
		`ALTER TABLE schedules ADD CONSTRAINT schedules_tz UNIQUE (time_zone)`,
		`ALTER TABLE pages ADD UNIQUE (id, service_id)`,
		`ALTER TABLE alerts ADD FOREIGN KEY (page_id, service_id) REFERENCES pages (id, service_id) ON DELETE CASCADE`,
		`DROP INDEX alerts_open`,
		`CREATE UNIQUE INDEX alerts_open ON alerts (service_id, dedup_key) WHERE status <> 'open'`,
		`CREATE INDEX pages_dedup ON pages (lower(dedup_key), first_seen DESC) INCLUDE (summary)`,
	} {
		if _, err := pg.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("postgres: %s: %v", q, err)
		}
	}
	got := diffSchemas(readSchema(t, lite), readSchema(t, pg))
	want := []string{
		`alerts: foreign key (page_id, service_id) references pages (id, service_id): SQLite has none, PostgreSQL has "on delete cascade, on update no action"`,
		`alerts: index alerts_open: SQLite has "unique (service_id, dedup_key) where status = 'open'", PostgreSQL has "unique (service_id, dedup_key) where status <> 'open'"`,
		`counters: rows after migrating: SQLite has "(drift, 1) (incident_number, 0) (status_version, 0)", PostgreSQL has "(incident_number, 0) (status_version, 0)"`,
		`drift_only_sqlite: table: SQLite has "id, n", PostgreSQL has none`,
		`follow_ups: column done: SQLite has "boolean not null default false", PostgreSQL has "boolean not null default true"`,
		`incidents: column summary: SQLite has "text not null", PostgreSQL has "text null"`,
		`incidents: index incidents_title: SQLite has "(title)", PostgreSQL has none`,
		`pages: index pages_dedup: SQLite has none, PostgreSQL has "(lower(dedup_key), first_seen desc) include(summary)"`,
		`pages: unique (id, service_id): SQLite has none, PostgreSQL has "unique"`,
		`reviews: check kind in ('internal', 'external'): SQLite has "check", PostgreSQL has none`,
		`schedules: unique (time_zone): SQLite has none, PostgreSQL has "unique"`,
		`tokens: column revoked_at: SQLite has "integer null", PostgreSQL has "integer (32-bit) null"`,
		`users: column nickname: SQLite has "text null", PostgreSQL has none`,
		`users: trigger before delete: SQLite has "for each row", PostgreSQL has none`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("drift report:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestNormalizeExpression shows the spellings each catalog gives one
// expression, and the one form both become.
func TestNormalizeExpression(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ sqlite, postgres, want string }{
		{`role IN ('viewer', 'responder', 'admin')`, `((role = ANY (ARRAY['viewer'::text, 'responder'::text, 'admin'::text])))`, `role in ('viewer', 'responder', 'admin')`},
		{`id = 1`, `((id = 1))`, `id = 1`},
		{`kind NOT IN ('a','b')`, `(kind <> ALL (ARRAY['a'::text, 'b'::text]))`, `kind not in ('a', 'b')`},
		{`unsubscribed_at IS NULL`, `(unsubscribed_at IS NULL)`, `unsubscribed_at is null`},
		{`'[]'`, `'[]'::text`, `'[]'`},
		{`-1`, `'-1'::integer`, `-1`},
		{`-1`, `(- 1)`, `-1`},
		{`a >= 0 AND b != 'x'`, `((a >= 0) AND (b <> 'x'::character varying))`, `a >= 0 and b <> 'x'`},
		{`lower(name)`, `lower((name)::text)`, `lower(name)`},
		{"\"level\" -- a comment\n > 0", `("level" > 0)`, `level > 0`},
		{`kind IN ('email')`, `(kind = 'email'::text)`, `kind = 'email'`},
		{`n BETWEEN 1 AND 5`, `((n >= 1) AND (n <= 5))`, `n >= 1 and n <= 5`},
		{`name LIKE 'a%' AND name NOT LIKE '%b'`, `((name ~~ 'a%'::text) AND (name !~~ '%b'::text))`, `name like 'a%' and name not like '%b'`},
		{`length(name) > 0`, `(length(name) > 0)`, `length(name) > 0`},
	} {
		if got := normExpr(tokenize(c.sqlite)); got != c.want {
			t.Errorf("SQLite %q: got %q, want %q", c.sqlite, got, c.want)
		}
		if got := normExpr(tokenize(c.postgres)); got != c.want {
			t.Errorf("PostgreSQL %q: got %q, want %q", c.postgres, got, c.want)
		}
	}
}

// migratedPair returns the schema of a freshly migrated database of each
// dialect.
func migratedPair(t *testing.T) (lite, pg *schema) {
	clock := testdb.NewClock()
	return readSchema(t, testdb.Open(t, store.SQLite, clock)), readSchema(t, testdb.Open(t, store.Postgres, clock))
}

// schema is what a database holds, in terms both dialects share.
type schema struct {
	tables map[string]*table
	views  []string
}

// table is one table. Constraints and indexes are sets of lines whose key
// says what they are and whose value says how.
type table struct {
	columns []string           // in the database's order
	cols    map[string]*column // by name
	pk      []string
	facts   map[string]string // "unique (a, b)", "index name", ... -> detail
	rows    []string          // seeded rows, sorted
}

type column struct {
	class    string // integer, text, boolean, blob, real, ...
	notNull  bool
	dflt     string // normalised default expression, "" for none
	identity bool
}

func (c *column) String() string {
	s := c.class
	if c.notNull {
		s += " not null"
	} else {
		s += " null"
	}
	if c.dflt != "" {
		s += " default " + c.dflt
	}
	if c.identity {
		s += " identity"
	}
	return s
}

func newTable() *table {
	return &table{cols: map[string]*column{}, facts: map[string]string{}}
}

func (tb *table) addColumn(name string, c *column) {
	tb.columns = append(tb.columns, name)
	tb.cols[name] = c
}

func readSchema(t *testing.T, db *store.DB) *schema {
	t.Helper()
	var s *schema
	var err error
	if db.Dialect() == store.SQLite {
		s, err = readSQLite(context.Background(), db.SQL())
	} else {
		s, err = readPostgres(context.Background(), db.SQL())
	}
	if err != nil {
		t.Fatalf("read %s schema: %v", db.Dialect(), err)
	}
	for name, tb := range s.tables {
		if tb.rows, err = readRows(context.Background(), db.SQL(), name); err != nil {
			t.Fatalf("read %s rows of %s: %v", db.Dialect(), name, err)
		}
	}
	return s
}

// readSQLite reads the schema from sqlite_master and the pragmas. What the
// pragmas do not tell (CHECK, AUTOINCREMENT, index expressions and
// predicates, trigger events) is read from the stored CREATE statements.
func readSQLite(ctx context.Context, db *sql.DB) (*schema, error) {
	s := &schema{tables: map[string]*table{}}
	type object struct{ kind, name, tbl, sql string }
	var objects []object
	rows, err := db.QueryContext(ctx, `SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.kind, &o.name, &o.tbl, &o.sql); err != nil {
			rows.Close()
			return nil, err
		}
		objects = append(objects, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	indexSQL := map[string]string{}
	for _, o := range objects {
		switch o.kind {
		case "view":
			s.views = append(s.views, o.name)
		case "index":
			indexSQL[o.name] = o.sql
		case "trigger":
			timing, events := triggerEvents(tokenize(o.sql))
			for _, ev := range events {
				s.table(o.tbl).facts["trigger "+timing+" "+ev] = "for each row"
			}
		}
	}
	for _, o := range objects {
		if o.kind != "table" {
			continue
		}
		tb := s.table(o.name)
		toks := tokenize(o.sql)
		for _, c := range checks(toks) {
			tb.facts["check "+c] = "check"
		}
		autoincrement := false
		for _, tok := range toks {
			if tok == "autoincrement" {
				autoincrement = true
			}
		}
		if err := readSQLiteColumns(ctx, db, o.name, tb, autoincrement); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", o.name, err)
		}
		if err := readSQLiteIndexes(ctx, db, o.name, tb, indexSQL); err != nil {
			return nil, fmt.Errorf("indexes of %s: %w", o.name, err)
		}
		if err := readSQLiteForeignKeys(ctx, db, o.name, tb); err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", o.name, err)
		}
	}
	return s, nil
}

func (s *schema) table(name string) *table {
	tb := s.tables[name]
	if tb == nil {
		tb = newTable()
		s.tables[name] = tb
	}
	return tb
}

func readSQLiteColumns(ctx context.Context, db *sql.DB, name string, tb *table, autoincrement bool) error {
	rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, name)
	if err != nil {
		return err
	}
	defer rows.Close()
	pk := map[int]string{}
	for rows.Next() {
		var col, typ string
		var notNull bool
		var dflt sql.NullString
		var pkPos int
		if err := rows.Scan(&col, &typ, &notNull, &dflt, &pkPos); err != nil {
			return err
		}
		c := &column{class: sqliteClass(typ), notNull: notNull || pkPos > 0}
		if dflt.Valid {
			c.dflt = normExpr(tokenize(dflt.String))
		}
		// AUTOINCREMENT is allowed only on the INTEGER PRIMARY KEY.
		c.identity = autoincrement && pkPos > 0
		if pkPos > 0 {
			pk[pkPos] = col
		}
		tb.addColumn(col, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := 1; i <= len(pk); i++ {
		tb.pk = append(tb.pk, pk[i])
	}
	if len(tb.pk) > 0 {
		tb.facts["primary key"] = list(tb.pk)
	}
	return nil
}

func readSQLiteIndexes(ctx context.Context, db *sql.DB, name string, tb *table, indexSQL map[string]string) error {
	type index struct {
		name, origin string
		unique       bool
	}
	var indexes []index
	rows, err := db.QueryContext(ctx, `SELECT name, "unique", origin FROM pragma_index_list(?)`, name)
	if err != nil {
		return err
	}
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.unique, &ix.origin); err != nil {
			rows.Close()
			return err
		}
		indexes = append(indexes, ix)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, ix := range indexes {
		switch ix.origin {
		case "pk": // read with the columns
		case "u": // a UNIQUE constraint, through an sqlite_autoindex_*
			cols, err := sqliteIndexColumns(ctx, db, ix.name)
			if err != nil {
				return err
			}
			tb.facts["unique "+list(cols)] = "unique"
		default: // CREATE INDEX
			method, cols, where := parseIndex(tokenize(indexSQL[ix.name]))
			tb.facts["index "+ix.name] = describeIndex(ix.unique, method, cols, where)
			if ix.unique && where == "" {
				tb.facts["unique "+list(cols)] = "unique"
			}
		}
	}
	return nil
}

func sqliteIndexColumns(ctx context.Context, db *sql.DB, index string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, index)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

func readSQLiteForeignKeys(ctx context.Context, db *sql.DB, name string, tb *table) error {
	rows, err := db.QueryContext(ctx, `SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, name)
	if err != nil {
		return err
	}
	type fk struct {
		table              string
		from, to           []string
		onUpdate, onDelete string
	}
	var fks []*fk
	byID := map[int]*fk{}
	for rows.Next() {
		var id int
		var ref, from, onUpdate, onDelete string
		var to sql.NullString
		if err := rows.Scan(&id, &ref, &from, &to, &onUpdate, &onDelete); err != nil {
			rows.Close()
			return err
		}
		f := byID[id]
		if f == nil {
			f = &fk{table: ref, onUpdate: onUpdate, onDelete: onDelete}
			byID[id] = f
			fks = append(fks, f)
		}
		f.from = append(f.from, from)
		f.to = append(f.to, to.String) // "" when the primary key is meant
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range fks {
		if f.to[0] == "" { // REFERENCES t: its primary key
			rows, err := db.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0`, f.table)
			if err != nil {
				return err
			}
			pk := map[int]string{}
			for rows.Next() {
				var c string
				var n int
				if err := rows.Scan(&c, &n); err != nil {
					rows.Close()
					return err
				}
				pk[n] = c
			}
			rows.Close()
			f.to = nil
			for i := 1; i <= len(pk); i++ {
				f.to = append(f.to, pk[i])
			}
		}
		tb.facts["foreign key "+list(f.from)+" references "+f.table+" "+list(f.to)] =
			"on delete " + strings.ToLower(f.onDelete) + ", on update " + strings.ToLower(f.onUpdate)
	}
	return nil
}

// readPostgres reads the schema of the current schema (the test's own)
// from information_schema and pg_catalog.
func readPostgres(ctx context.Context, db *sql.DB) (*schema, error) {
	s := &schema{tables: map[string]*table{}}
	rows, err := db.QueryContext(ctx, `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		if kind == "VIEW" {
			s.views = append(s.views, name)
		} else {
			s.table(name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(s.views)

	rows, err = db.QueryContext(ctx, `
		SELECT table_name, column_name, data_type, COALESCE(character_maximum_length, 0),
			is_nullable = 'NO', COALESCE(column_default, ''), is_identity = 'YES'
		FROM information_schema.columns
		WHERE table_schema = current_schema()
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tbl, col, typ, dflt string
		var maxLen int
		var c column
		if err := rows.Scan(&tbl, &col, &typ, &maxLen, &c.notNull, &dflt, &c.identity); err != nil {
			rows.Close()
			return nil, err
		}
		if s.tables[tbl] == nil {
			continue // a view's column
		}
		c.class = postgresClass(typ, maxLen)
		if strings.HasPrefix(dflt, "nextval(") { // serial
			c.identity = true
		} else if dflt != "" {
			c.dflt = normExpr(tokenize(dflt))
		}
		s.tables[tbl].addColumn(col, &c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Constraints, with their columns in key order.
	rows, err = db.QueryContext(ctx, `
		SELECT cl.relname, c.contype,
			COALESCE((SELECT string_agg(a.attname, ',' ORDER BY k.n)
				FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), ''),
			COALESCE(fcl.relname, ''),
			COALESCE((SELECT string_agg(a.attname, ',' ORDER BY k.n)
				FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum), ''),
			c.confupdtype, c.confdeltype, pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		LEFT JOIN pg_class fcl ON fcl.oid = c.confrelid
		WHERE n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	actions := map[string]string{"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
	for rows.Next() {
		var tbl, kind, cols, ref, refCols, onUpdate, onDelete, def string
		if err := rows.Scan(&tbl, &kind, &cols, &ref, &refCols, &onUpdate, &onDelete, &def); err != nil {
			rows.Close()
			return nil, err
		}
		tb := s.tables[tbl]
		if tb == nil {
			continue
		}
		from := strings.Split(cols, ",")
		switch kind {
		case "p":
			tb.pk = from
			tb.facts["primary key"] = list(from)
		case "u":
			tb.facts["unique "+list(from)] = "unique"
			if strings.Contains(def, "NULLS NOT DISTINCT") {
				tb.facts["unique "+list(from)] = "unique nulls not distinct"
			}
		case "f":
			tb.facts["foreign key "+list(from)+" references "+ref+" "+list(strings.Split(refCols, ","))] =
				"on delete " + actions[onDelete] + ", on update " + actions[onUpdate]
		case "c":
			toks := tokenize(def)
			if len(toks) > 0 && toks[0] == "check" {
				toks = toks[1:]
			}
			if n := len(toks); n >= 2 && toks[n-2] == "not" && toks[n-1] == "valid" {
				toks = toks[:n-2]
			}
			tb.facts["check "+normExpr(toks)] = "check"
		case "n": // NOT NULL as a constraint (PostgreSQL 18): read with the columns
		default:
			tb.facts["constraint "+def] = "kind " + kind
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Indexes not made by a PRIMARY KEY, UNIQUE or EXCLUDE constraint.
	rows, err = db.QueryContext(ctx, `
		SELECT t.relname, i.relname, x.indisunique, pg_get_indexdef(x.indexrelid)
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema()
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c
			WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x'))`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tbl, name, def string
		var unique bool
		if err := rows.Scan(&tbl, &name, &unique, &def); err != nil {
			rows.Close()
			return nil, err
		}
		tb := s.tables[tbl]
		if tb == nil {
			continue
		}
		method, cols, where := parseIndex(tokenize(def))
		tb.facts["index "+name] = describeIndex(unique, method, cols, where)
		if unique && where == "" {
			tb.facts["unique "+list(cols)] = "unique"
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Triggers, one row per event.
	rows, err = db.QueryContext(ctx, `
		SELECT event_object_table, action_timing, event_manipulation, action_orientation
		FROM information_schema.triggers WHERE trigger_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tbl, timing, event, orientation string
		if err := rows.Scan(&tbl, &timing, &event, &orientation); err != nil {
			rows.Close()
			return nil, err
		}
		if tb := s.tables[tbl]; tb != nil {
			tb.facts["trigger "+strings.ToLower(timing+" "+event)] = "for each " + strings.ToLower(orientation)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, tb := range s.tables {
		for _, c := range tb.pk {
			if col := tb.cols[c]; col != nil {
				col.notNull = true
			}
		}
	}
	return s, nil
}

// readRows returns the rows of a table as sorted text, booleans as 0 and 1.
func readRows(ctx context.Context, db *sql.DB, name string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+name+`"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var parts []string
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				parts = append(parts, string(v))
			case bool:
				if v {
					parts = append(parts, "1")
				} else {
					parts = append(parts, "0")
				}
			case nil:
				parts = append(parts, "NULL")
			default:
				parts = append(parts, fmt.Sprint(v))
			}
		}
		out = append(out, "("+strings.Join(parts, ", ")+")")
	}
	sort.Strings(out)
	return out, rows.Err()
}

// sqliteClass maps a declared SQLite type to its class by SQLite's own
// affinity rules (section 3.1 of its "Datatypes" page): a type spelled
// BOOLEAN, JSON or DATETIME gets NUMERIC affinity there and is called
// numeric here, so it cannot pass for PostgreSQL's boolean or json.
func sqliteClass(decl string) string {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return "integer"
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return "text"
	case d == "", strings.Contains(d, "BLOB"):
		return "blob"
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return "real"
	}
	return "numeric (" + strings.ToLower(decl) + ")"
}

// postgresClass maps a PostgreSQL type to the class of its SQLite
// counterpart. Narrower types than SQLite's keep their width in the class,
// since a value SQLite stores could fail there.
func postgresClass(typ string, maxLen int) string {
	switch typ {
	case "bigint":
		return "integer"
	case "integer":
		return "integer (32-bit)"
	case "smallint":
		return "integer (16-bit)"
	case "text":
		return "text"
	case "character varying", "character":
		if maxLen > 0 {
			return fmt.Sprintf("text (at most %d)", maxLen)
		}
		return "text"
	case "boolean":
		return "boolean"
	case "bytea":
		return "blob"
	case "double precision":
		return "real"
	case "real":
		return "real (32-bit)"
	case "numeric":
		return "numeric (numeric)"
	}
	return typ
}

// reconcileBooleans reads an SQLite integer column as the boolean its
// PostgreSQL twin is: SQLite has no boolean type. Defaults of boolean
// columns read 0 and 1 as false and true on both sides.
func reconcileBooleans(lite, pg *schema) {
	for name, ptb := range pg.tables {
		ltb := lite.tables[name]
		if ltb == nil {
			continue
		}
		for cname, pc := range ptb.cols {
			if lc := ltb.cols[cname]; lc != nil && pc.class == "boolean" && lc.class == "integer" {
				lc.class = "boolean"
			}
		}
	}
	for _, s := range []*schema{lite, pg} {
		for _, tb := range s.tables {
			for _, c := range tb.cols {
				if c.class == "boolean" {
					switch c.dflt {
					case "0":
						c.dflt = "false"
					case "1":
						c.dflt = "true"
					}
				}
			}
		}
	}
}

// diffSchemas lists every difference as one line, sorted by table.
func diffSchemas(lite, pg *schema) []string {
	reconcileBooleans(lite, pg)
	var out []string
	add := func(tbl, what, l, p string) {
		if l == p {
			return
		}
		q := func(v string) string {
			if v == "" {
				return "none"
			}
			return fmt.Sprintf("%q", v)
		}
		out = append(out, fmt.Sprintf("%s: %s: SQLite has %s, PostgreSQL has %s", tbl, what, q(l), q(p)))
	}
	add("(schema)", "views", strings.Join(lite.views, ", "), strings.Join(pg.views, ", "))
	names := map[string]bool{}
	for n := range lite.tables {
		names[n] = true
	}
	for n := range pg.tables {
		names[n] = true
	}
	for _, name := range sortedKeys(names) {
		lt, pt := lite.tables[name], pg.tables[name]
		if lt == nil || pt == nil {
			tb := lt
			if tb == nil {
				tb = pt
			}
			l, p := strings.Join(tb.columns, ", "), ""
			if lt == nil {
				l, p = p, l
			}
			add(name, "table", l, p)
			continue
		}
		cols := map[string]bool{}
		for c := range lt.cols {
			cols[c] = true
		}
		for c := range pt.cols {
			cols[c] = true
		}
		for _, c := range sortedKeys(cols) {
			var l, p string
			if lc := lt.cols[c]; lc != nil {
				l = lc.String()
			}
			if pc := pt.cols[c]; pc != nil {
				p = pc.String()
			}
			add(name, "column "+c, l, p)
		}
		facts := map[string]bool{}
		for f := range lt.facts {
			facts[f] = true
		}
		for f := range pt.facts {
			facts[f] = true
		}
		for _, f := range sortedKeys(facts) {
			add(name, f, lt.facts[f], pt.facts[f])
		}
		add(name, "rows after migrating", strings.Join(lt.rows, " "), strings.Join(pt.rows, " "))
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func list(cols []string) string { return "(" + strings.Join(cols, ", ") + ")" }

func describeIndex(unique bool, method string, cols []string, where string) string {
	s := list(cols)
	if unique {
		s = "unique " + s
	}
	m, extra, _ := strings.Cut(method, " ")
	if m != "" && m != "btree" {
		s = "using " + m + " " + s
	}
	if extra != "" {
		s += " " + extra
	}
	if where != "" {
		s += " where " + where
	}
	return s
}

// parseIndex reads a CREATE INDEX statement as SQLite stores it or as
// pg_get_indexdef prints it: the access method (PostgreSQL), the key
// columns or expressions, and the predicate of a partial index. Whatever
// else follows the columns (INCLUDE, NULLS NOT DISTINCT, WITH ...) is
// kept in the method, so that it shows in a comparison.
func parseIndex(toks []string) (method string, cols []string, where string) {
	i := 0
	for i < len(toks) && toks[i] != "on" {
		i++
	}
	for i < len(toks) && toks[i] != "(" {
		if toks[i] == "using" && i+1 < len(toks) {
			method = toks[i+1]
		}
		i++
	}
	if i == len(toks) {
		return method, nil, ""
	}
	end := closing(toks, i)
	start := i + 1
	depth := 0
	for j := start; j <= end; j++ {
		switch {
		case toks[j] == "(":
			depth++
		case toks[j] == ")" && depth > 0:
			depth--
		case depth == 0 && (toks[j] == "," || j == end):
			key := toks[start:j]
			if n := len(key); n > 1 && key[n-1] == "asc" {
				key = key[:n-1]
			}
			cols = append(cols, normExpr(key))
			start = j + 1
		}
	}
	rest := toks[end+1:]
	for j := range rest {
		if rest[j] == "where" {
			where = normExpr(rest[j+1:])
			rest = rest[:j]
			break
		}
	}
	if len(rest) > 0 {
		if method == "" {
			method = "btree"
		}
		method += " " + normExpr(rest)
	}
	return method, cols, where
}

// checks returns the normalised CHECK expressions of a CREATE TABLE
// statement, whether written on a column or on the table.
func checks(toks []string) []string {
	var out []string
	for i := 0; i+1 < len(toks); i++ {
		if toks[i] == "check" && toks[i+1] == "(" {
			end := closing(toks, i+1)
			out = append(out, normExpr(toks[i+1:end+1]))
			i = end
		}
	}
	return out
}

// triggerEvents reads the timing and events of an SQLite CREATE TRIGGER.
func triggerEvents(toks []string) (timing string, events []string) {
	timing = "before" // SQLite's default
	for _, tok := range toks {
		switch tok {
		case "before", "after":
			timing = tok
		case "instead":
			timing = "instead of"
		case "insert", "update", "delete":
			events = append(events, tok)
		case "on":
			return timing, events
		}
	}
	return timing, events
}

// closing returns the index of the parenthesis that closes toks[open].
func closing(toks []string, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j] {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks) - 1
}

// tokenize splits SQL into lower-cased words, string literals (kept as
// written, quotes included), numbers and symbols. Comments go; quoted
// identifiers lose their quotes; a minus sign that cannot be a binary
// operator joins the number after it.
func tokenize(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = len(s)
			} else {
				i += end + 4
			}
		case c == '\'':
			j := i + 1
			for j < len(s) {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			toks = append(toks, s[i:min(j+1, len(s))])
			i = j + 1
		case c == '"' || c == '`' || c == '[' && isWordStart(s, i+1):
			close := map[byte]byte{'"': '"', '`': '`', '[': ']'}[c]
			j := strings.IndexByte(s[i+1:], close)
			if j < 0 {
				j = len(s) - i - 1
			}
			toks = append(toks, strings.ToLower(s[i+1:i+1+j]))
			i += j + 2
		case isWordByte(c):
			j := i
			for j < len(s) && (isWordByte(s[j]) || s[j] == '.' && j+1 < len(s) && isWordByte(s[j+1]) && isDigit(s[i])) {
				j++
			}
			toks = append(toks, strings.ToLower(s[i:j]))
			i = j
		default:
			op := string(c)
			for _, multi := range []string{"!~~*", "!~~", "~~*", "~~", "::", "<=", ">=", "<>", "!=", "||", "=="} {
				if strings.HasPrefix(s[i:], multi) {
					op = multi
					break
				}
			}
			i += len(op)
			if op == "-" && unary(toks) {
				j := i
				for j < len(s) && s[j] == ' ' {
					j++
				}
				if j < len(s) && isDigit(s[j]) {
					k := j
					for k < len(s) && (isWordByte(s[k]) || s[k] == '.') {
						k++
					}
					toks = append(toks, "-"+s[j:k])
					i = k
					continue
				}
			}
			toks = append(toks, op)
		}
	}
	return toks
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// isWordStart tells a bracket-quoted SQLite identifier ([name]) from
// PostgreSQL's ARRAY[...].
func isWordStart(s string, i int) bool {
	return i < len(s) && isWordByte(s[i]) && !isDigit(s[i]) && s[i] != '$'
}

// unary tells whether a minus after toks is a sign rather than an operator.
func unary(toks []string) bool {
	if len(toks) == 0 {
		return true
	}
	switch last := toks[len(toks)-1]; last {
	case "(", ",", "=", "<", ">", "<=", ">=", "<>", "!=", "[", "and", "or", "not", "in", "default", "then", "else", "when", "is", "between", "+", "-", "*", "/":
		return true
	}
	return false
}

// sqlWords are the keywords after which "(" opens a group or a list rather
// than a function's arguments.
var sqlWords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "is": true, "null": true,
	"between": true, "like": true, "case": true, "when": true, "then": true,
	"else": true, "end": true, "where": true, "check": true, "any": true, "all": true,
	"array": true, "exists": true,
}

var numericTypes = map[string]bool{"integer": true, "bigint": true, "smallint": true, "numeric": true, "real": true, "double": true}

// normExpr gives an expression the one spelling both catalogs reduce to:
// no casts, x IN (...) for x = ANY (ARRAY[...]), <> for !=, and no
// grouping parentheses (PostgreSQL adds them around every operand); the
// parentheses of function calls and IN lists stay.
func normExpr(toks []string) string {
	// Casts: 'x'::text -> 'x', '-1'::integer -> -1, (name)::text -> name.
	var t []string
	for i := 0; i < len(toks); i++ {
		if toks[i] == "::" && i+1 < len(toks) {
			typ := toks[i+1]
			i++
			for i+1 < len(toks) && (toks[i+1] == "varying" || toks[i+1] == "precision" || toks[i+1] == "[" || toks[i+1] == "]") {
				i++
			}
			if n := len(t); n > 0 && numericTypes[typ] && strings.HasPrefix(t[n-1], "'") {
				t[n-1] = strings.Trim(t[n-1], "'")
			}
			continue
		}
		switch op := toks[i]; op {
		case "!=":
			t = append(t, "<>")
		case "==":
			t = append(t, "=")
		case "~~", "~~*", "!~~", "!~~*": // how PostgreSQL prints LIKE
			t = append(t, map[string][]string{"~~": {"like"}, "~~*": {"ilike"}, "!~~": {"not", "like"}, "!~~*": {"not", "ilike"}}[op]...)
		default:
			t = append(t, op)
		}
	}
	// x = ANY (ARRAY[a, b]) -> x in (a, b); x <> ALL (ARRAY[...]) -> x not in (...).
	var u []string
	for i := 0; i < len(t); i++ {
		if i+4 < len(t) && (t[i] == "=" && t[i+1] == "any" || t[i] == "<>" && t[i+1] == "all") && t[i+2] == "(" && t[i+3] == "array" && t[i+4] == "[" {
			end := closing(t, i+2)
			if t[i] == "<>" {
				u = append(u, "not")
			}
			u = append(u, "in", "(")
			for _, tok := range t[i+5 : end] {
				if tok != "]" {
					u = append(u, tok)
				}
			}
			u = append(u, ")")
			i = end
			continue
		}
		u = append(u, t[i])
	}
	// PostgreSQL prints x IN ('a') as x = 'a', and x BETWEEN a AND b as
	// x >= a AND x <= b.
	var v []string
	for i := 0; i < len(u); i++ {
		switch {
		case u[i] == "in" && i+3 < len(u) && u[i+1] == "(" && u[i+3] == ")" && (i == 0 || u[i-1] != "not"):
			v = append(v, "=", u[i+2])
			i += 3
		case u[i] == "not" && i+4 < len(u) && u[i+1] == "in" && u[i+2] == "(" && u[i+4] == ")":
			v = append(v, "<>", u[i+3])
			i += 4
		case u[i] == "between" && i > 0 && i+3 < len(u) && u[i+2] == "and" && (i < 2 || u[i-2] != "not"):
			x := u[i-1]
			v = append(v, ">=", u[i+1], "and", x, "<=", u[i+3])
			i += 3
		default:
			v = append(v, u[i])
		}
	}
	u = v
	// Drop grouping parentheses, keep those of calls and lists.
	drop := map[int]bool{}
	var stack []int
	for i, tok := range u {
		switch tok {
		case "(":
			stack = append(stack, i)
		case ")":
			if len(stack) == 0 {
				continue
			}
			open := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if open == 0 || sqlWords[u[open-1]] && u[open-1] != "in" && u[open-1] != "exists" || !isWordByte(u[open-1][0]) {
				drop[open], drop[i] = true, true
			}
		}
	}
	var b strings.Builder
	prev := ""
	for i, tok := range u {
		if drop[i] {
			continue
		}
		if b.Len() > 0 && tok != ")" && tok != "," && prev != "(" && !(tok == "(" && prev != "in" && isWordByte(prev[0])) {
			b.WriteByte(' ')
		}
		b.WriteString(tok)
		prev = tok
	}
	return b.String()
}
