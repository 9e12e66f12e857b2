package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// TestBackup_DuringWritesRestoresEveryAcknowledgedWrite backs up a SQLite
// database while four writers keep adding webhook contact methods (each with
// a secret sealed by the data folder's key), restores the backup into a
// fresh folder, and opens it as serve would: every write acknowledged
// before the backup began is there, and every secret decrypts with the
// restored key.
func TestBackup_DuringWritesRestoresEveryAcknowledgedWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key, err := secretKey("", "", dir) // generated into dir/secret.key, as serve does
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Config{DataDir: dir, SecretKey: key, WebhookAllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	user, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ada", Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		acked []herald.ContactMethod
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				m, err := db.People.CreateContactMethod(ctx, user.ID, herald.ContactMethodInput{Kind: "webhook", Target: fmt.Sprintf("http://127.0.0.1:9/w%d/%d", w, i)})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, m)
				mu.Unlock()
			}
		}()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	for deadline := time.Now().Add(10 * time.Second); count() < 200 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()

	file := filepath.Join(t.TempDir(), "herald.tar.gz")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"backup", file, "--data", dir}, func(string) string { return "" }, nil, &out, &errOut); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	during := count() - len(before)
	close(stop)
	wg.Wait()
	t.Logf("%d writes acknowledged before the backup, %d while it ran, %d in all", len(before), during, len(acked))
	if len(before) == 0 {
		t.Fatal("no write was acknowledged before the backup")
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v; want owner-only", err, st.Mode().Perm())
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	out.Reset()
	if err := run(ctx, []string{"restore", file, "--data", fresh}, func(string) string { return "" }, nil, &out, &errOut); err != nil {
		t.Fatalf("restore: %v\n%s", err, errOut.String())
	}
	restoredKey, err := secretKey("", "", fresh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(restoredKey, key) {
		t.Fatal("the restored secret.key is not the key the secrets were sealed with")
	}
	rdb, err := store.Open(ctx, store.Config{DataDir: fresh, SecretKey: restoredKey})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if _, err := rdb.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range before {
		got, err := rdb.People.ContactMethodForTest(ctx, user.ID, m.ID)
		if err != nil {
			t.Fatalf("acknowledged contact method %s: %v", m.ID, err)
		}
		if got.Secret == "" || got.Secret != m.Secret {
			t.Fatalf("contact method %s: secret %q, want %q", m.ID, got.Secret, m.Secret)
		}
	}
	all, err := rdb.People.ContactMethods(ctx, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < len(before) || len(all) > len(acked) {
		t.Errorf("restored %d contact methods; want between %d (before the backup) and %d (all acknowledged)", len(all), len(before), len(acked))
	}
}

// TestRestore_Refuses: a restore never writes into a folder that has
// anything in it, and takes nothing but a backup's two files.
func TestRestore_Refuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := secretKey("", "", dir); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	noenv := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", file, "--data", dir}, noenv, nil, &out, &out); err != nil {
		t.Fatalf("backup: %v\n%s", err, out.String())
	}

	// Not into the live folder, nor any folder with a file in it.
	before, _ := os.ReadFile(filepath.Join(dir, "herald.db"))
	err = run(ctx, []string{"restore", file, "--data", dir}, noenv, nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("restore into the live folder: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "herald.db")); !bytes.Equal(before, after) {
		t.Error("a refused restore changed the database")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("x"), 0o600)
	if err := run(ctx, []string{"restore", file, "--data", other}, noenv, nil, &out, &out); err == nil {
		t.Error("restore into a folder with a file in it succeeded")
	}
	// Not something else than a backup.
	if err := run(ctx, []string{"restore", filepath.Join(dir, "secret.key"), "--data", filepath.Join(t.TempDir(), "x")}, noenv, nil, &out, &out); err == nil ||
		!strings.Contains(err.Error(), "not a herald backup") {
		t.Errorf("restore of a key file: %v", err)
	}
}

// TestBackup_PostgresSaysPgDump: on PostgreSQL, backup and restore say to
// use pg_dump and keep the secret key, and write nothing.
func TestBackup_PostgresSaysPgDump(t *testing.T) {
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	for _, cmd := range []string{"backup", "restore"} {
		var out bytes.Buffer
		err := run(context.Background(), []string{cmd, file, "--database-url", "postgres://herald@db/herald"}, func(string) string { return "" }, nil, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "HERALD_SECRET_KEY") {
			t.Errorf("%s on PostgreSQL: %v", cmd, err)
		}
		if exitCode(err) != 2 {
			t.Errorf("%s on PostgreSQL exits %d", cmd, exitCode(err))
		}
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("a backup file was written")
	}
}
