package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/store"
)

// A backup is a gzip-compressed tar of the two files a data folder needs:
// herald.db (a consistent copy, store.BackupSQLite) and secret.key, the key
// that decrypts the webhook secrets in it. Without the key those secrets
// are lost, so they travel together; the archive is as secret as the key.
const secretKeyFile = "secret.key"

const pgBackupHelp = `with PostgreSQL, back up with PostgreSQL's own tools and keep the secret key with the dump:
  pg_dump --format=custom --file=herald.dump "$HERALD_DATABASE_URL"
  and store HERALD_SECRET_KEY beside it (it decrypts the webhook secrets); restore with pg_restore --clean --if-exists --dbname=... herald.dump (docs/DEPLOY.md)`

func runBackup(ctx context.Context, args []string, e env) error {
	f := newFlags("backup", "backup FILE [flags]", e)
	sf := addStoreFlags(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("herald backup FILE: name the file to write (a .tar.gz of herald.db and secret.key)")
	}
	if *sf.databaseURL != "" {
		return usagef("herald backup copies the embedded SQLite database; %s", pgBackupHelp)
	}
	key, err := backupKey(e.getenv("HERALD_SECRET_KEY"), *sf.data)
	if err != nil {
		return err
	}
	dest := pos[0]
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".herald-backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	copyPath := filepath.Join(tmp, store.SQLiteFile)
	if err := store.BackupSQLite(ctx, *sf.data, copyPath); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	version, err := store.CheckSQLite(ctx, copyPath)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// Written beside the destination and renamed into place, so FILE is
	// either the old backup or a whole new one.
	archive := filepath.Join(tmp, "backup.tar.gz")
	if err := writeBackup(archive, copyPath, key); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(archive, dest); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	st, _ := os.Stat(dest)
	fmt.Fprintf(e.stdout, "backed up %s (schema %04d, %d bytes compressed) to %s\n", filepath.Join(*sf.data, store.SQLiteFile), version, st.Size(), dest)
	if key == nil {
		fmt.Fprintln(e.stderr, "herald: warning: no secret key (neither HERALD_SECRET_KEY nor secret.key in the data folder): webhook secrets in this backup, if any, cannot be decrypted")
	} else {
		fmt.Fprintln(e.stdout, "the backup holds the secret key: keep it as safe as the key itself")
	}
	return nil
}

// backupKey is the key Herald decrypts secrets with: HERALD_SECRET_KEY
// when set (it wins at start), else the data folder's secret.key; nil when
// there is neither.
func backupKey(env, dataDir string) ([]byte, error) {
	if env == "" {
		b, err := os.ReadFile(filepath.Join(dataDir, secretKeyFile))
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		env = strings.TrimSpace(string(b))
	}
	k, err := base64.StdEncoding.DecodeString(env)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("the secret key is not 32 bytes in base64")
	}
	return []byte(base64.StdEncoding.EncodeToString(k) + "\n"), nil
}

func writeBackup(path, dbFile string, key []byte) (err error) {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	gz := gzip.NewWriter(out)
	tw := tar.NewWriter(gz)
	db, err := os.Open(dbFile)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Stat()
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	if err := tw.WriteHeader(&tar.Header{Name: store.SQLiteFile, Mode: 0o600, Size: st.Size(), ModTime: now, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := io.Copy(tw, db); err != nil {
		return err
	}
	if key != nil {
		if err := tw.WriteHeader(&tar.Header{Name: secretKeyFile, Mode: 0o600, Size: int64(len(key)), ModTime: now, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(key); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return out.Sync()
}

func runRestore(ctx context.Context, args []string, e env) error {
	f := newFlags("restore", "restore FILE [flags]", e)
	sf := addStoreFlags(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("herald restore FILE: name the backup to restore (made by herald backup)")
	}
	if *sf.databaseURL != "" {
		return usagef("herald restore fills an empty SQLite data folder; %s", pgBackupHelp)
	}
	dir := *sf.data
	// Only into an empty (or new) folder: a restore never replaces a
	// database, not even by mistake on a running Herald.
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("restore: the data folder %s is not empty; restore into an empty or new folder (--data), then point Herald at it", dir)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	// Extracted under temporary names and renamed once checked: a restore
	// cut short leaves no herald.db that Herald would start on.
	tmps, err := extractBackup(pos[0], dir)
	defer func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}()
	if err != nil {
		return fmt.Errorf("restore %s: %w", pos[0], err)
	}
	if tmps[store.SQLiteFile] == "" {
		return fmt.Errorf("restore %s: it holds no %s", pos[0], store.SQLiteFile)
	}
	version, err := store.CheckSQLite(ctx, tmps[store.SQLiteFile])
	if err != nil {
		return fmt.Errorf("restore %s: %w", pos[0], err)
	}
	var key []byte
	if tmps[secretKeyFile] != "" {
		if key, err = os.ReadFile(tmps[secretKeyFile]); err != nil {
			return err
		}
	}
	for _, name := range []string{secretKeyFile, store.SQLiteFile} {
		if tmps[name] == "" {
			continue
		}
		if err := os.Rename(tmps[name], filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "restored %s (schema %04d) into %s\n", pos[0], version, dir)
	switch {
	case key == nil:
		fmt.Fprintln(e.stderr, "herald: warning: the backup holds no secret key: webhook secrets, if any, cannot be decrypted")
	case e.getenv("HERALD_SECRET_KEY") != "" && strings.TrimSpace(e.getenv("HERALD_SECRET_KEY")) != strings.TrimSpace(string(key)):
		fmt.Fprintln(e.stderr, "herald: warning: HERALD_SECRET_KEY is set and differs from the restored secret.key, and it wins at start: unset it, or set it to the restored key, or webhook secrets will not decrypt")
	}
	fmt.Fprintf(e.stdout, "start Herald with --data %s (newer migrations, if any, are applied at start)\n", dir)
	return nil
}

// extractBackup writes the files of a backup archive into dir under
// temporary names, which it returns by file name. It accepts only the names
// a backup has, so an archive cannot write anywhere else.
func extractBackup(path, dir string) (map[string]string, error) {
	tmps := map[string]string{}
	in, err := os.Open(path)
	if err != nil {
		return tmps, err
	}
	defer in.Close()
	gz, err := gzip.NewReader(in)
	if err != nil {
		return tmps, fmt.Errorf("not a herald backup (.tar.gz): %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return tmps, nil
		}
		if err != nil {
			return tmps, fmt.Errorf("not a herald backup: %w", err)
		}
		if h.Name != store.SQLiteFile && h.Name != secretKeyFile || h.Typeflag != tar.TypeReg || tmps[h.Name] != "" {
			return tmps, fmt.Errorf("not a herald backup: unexpected entry %q", h.Name)
		}
		tmp := filepath.Join(dir, "."+h.Name+".restoring")
		tmps[h.Name] = tmp
		out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return tmps, err
		}
		_, err = io.Copy(out, tr)
		if serr := out.Sync(); err == nil {
			err = serr
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return tmps, err
		}
	}
}
