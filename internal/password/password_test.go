package password

import (
	"errors"
	"strings"
	"testing"
)

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	const pw = "violet tractor under the harbour"
	h, err := Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(h, want) {
		t.Fatalf("Hash = %q, want prefix %q", h, want)
	}
	if strings.Contains(h, pw) {
		t.Fatal("hash contains the password")
	}
	ok, rehash, err := Verify(h, pw)
	if err != nil || !ok || rehash {
		t.Fatalf("Verify(right password) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestVerifyWrongPasswordFails(t *testing.T) {
	t.Parallel()
	h, err := Hash("violet tractor under the harbour")
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "violet tractor under the harbouR", "violet tractor under the harbour ", "Violet tractor under the harbour"} {
		ok, _, err := Verify(h, pw)
		if err != nil || ok {
			t.Errorf("Verify(%q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	t.Parallel()
	const pw = "violet tractor under the harbour"
	a, err := Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two hashes of the same password are equal: %q", a)
	}
	saltOf := func(h string) string { return strings.Split(h, "$")[4] }
	if saltOf(a) == saltOf(b) {
		t.Fatalf("two hashes share the salt %q", saltOf(a))
	}
	if n := len(saltOf(a)); n != 22 { // 16 bytes in unpadded base64
		t.Fatalf("salt %q is %d base64 characters, want 22 (16 bytes)", saltOf(a), n)
	}
}

// TestVerifyReferenceHashes checks Verify against hashes made by the argon2
// reference implementation's command-line tool (Debian package argon2:
// echo -n PW | argon2 heraldsalt0123456 -id -t 2 -k 19456 -p 1 -l 32 -e), so
// our PHC encoding is the one other tools read and write.
func TestVerifyReferenceHashes(t *testing.T) {
	t.Parallel()
	const pw = "correct horse battery staple"
	for _, tc := range []struct {
		hash   string
		rehash bool
	}{
		{"$argon2id$v=19$m=19456,t=2,p=1$aGVyYWxkc2FsdDAxMjM0NTY$xPGWedyJCDDpS7UYkunuxm6P+4Pc5jl6w+08Kvv2INo", false},
		{"$argon2id$v=19$m=19456,t=2,p=4$aGVyYWxkc2FsdDAxMjM0NTY$qILPBp/eW+hWSeoYnrI5uf2oY/QT1qTFgM3VWhHWffw", false},
		// -m 10: 1 MiB, weaker than the current 19 MiB.
		{"$argon2id$v=19$m=1024,t=2,p=1$aGVyYWxkc2FsdDAxMjM0NTY$RKcPQKENfulK16DgjcrhuEQeCO/rHwWzgAYKRYRr1dM", true},
	} {
		ok, rehash, err := Verify(tc.hash, pw)
		if err != nil || !ok || rehash != tc.rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want true, %v, nil", tc.hash, ok, rehash, err, tc.rehash)
		}
		if ok, _, _ := Verify(tc.hash, pw+"!"); ok {
			t.Errorf("Verify(%q, wrong password) = true", tc.hash)
		}
	}
}

func TestVerifyNeedsRehashWhenWeaker(t *testing.T) {
	t.Parallel()
	const pw = "violet tractor under the harbour"
	c := current
	for _, tc := range []struct {
		name   string
		p      params
		rehash bool
	}{
		{"current", c, false},
		{"less memory", params{memory: 8 * 1024, time: c.time, threads: c.threads, saltLen: c.saltLen, keyLen: c.keyLen}, true},
		{"fewer passes", params{memory: c.memory, time: 1, threads: c.threads, saltLen: c.saltLen, keyLen: c.keyLen}, true},
		{"shorter salt", params{memory: c.memory, time: c.time, threads: c.threads, saltLen: 8, keyLen: c.keyLen}, true},
		{"shorter key", params{memory: c.memory, time: c.time, threads: c.threads, saltLen: c.saltLen, keyLen: 16}, true},
		{"more passes", params{memory: c.memory, time: 3, threads: c.threads, saltLen: c.saltLen, keyLen: c.keyLen}, false},
		{"more threads", params{memory: c.memory, time: c.time, threads: 2, saltLen: c.saltLen, keyLen: c.keyLen}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := hash(pw, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := Verify(h, pw)
			if err != nil || !ok || rehash != tc.rehash {
				t.Fatalf("Verify(%q) = %v, %v, %v; want true, %v, nil", h, ok, rehash, err, tc.rehash)
			}
		})
	}
}

func TestVerifyMalformedHashIsAnError(t *testing.T) {
	t.Parallel()
	const (
		salt = "aGVyYWxkc2FsdDAxMjM0NTY"
		key  = "xPGWedyJCDDpS7UYkunuxm6P+4Pc5jl6w+08Kvv2INo"
	)
	for _, tc := range []struct{ name, hash string }{
		{"empty", ""},
		{"plain text", "correct horse battery staple"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"version 16", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=19456,t=2,p=1$" + salt + "$" + key},
		{"parameters reordered", "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key},
		{"parameter missing", "$argon2id$v=19$m=19456,t=2$" + salt + "$" + key},
		{"parameter not a number", "$argon2id$v=19$m=lots,t=2,p=1$" + salt + "$" + key},
		{"negative parameter", "$argon2id$v=19$m=19456,t=-2,p=1$" + salt + "$" + key},
		{"zero memory", "$argon2id$v=19$m=0,t=2,p=1$" + salt + "$" + key},
		{"memory over 1 GiB", "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key},
		{"zero passes", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key},
		{"passes over limit", "$argon2id$v=19$m=19456,t=1000000,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key},
		{"threads over 255", "$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + key},
		{"salt not base64", "$argon2id$v=19$m=19456,t=2,p=1$!!!!$" + key},
		{"salt padded", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "=$" + key},
		{"salt too short", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + key},
		{"key empty", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$"},
		{"key too short", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$a2V5"},
		{"extra field", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$x"},
		{"leading text", "x$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := Verify(tc.hash, "correct horse battery staple")
			if !errors.Is(err, errMalformed) || ok || rehash {
				t.Fatalf("Verify(%q) = %v, %v, %v; want false, false, a malformed-hash error", tc.hash, ok, rehash, err)
			}
			if tc.hash != "" && strings.Contains(err.Error(), tc.hash) {
				t.Fatalf("error %q repeats the hash", err)
			}
		})
	}
}

func TestDummyVerifiesNothingAtCurrentCost(t *testing.T) {
	t.Parallel()
	d := Dummy()
	if d != Dummy() {
		t.Fatal("Dummy changes between calls")
	}
	p, _, _, err := decode(d)
	if err != nil {
		t.Fatal(err)
	}
	if p != current {
		t.Fatalf("Dummy parameters = %+v, want the current %+v", p, current)
	}
	for _, pw := range []string{"", "password1234", "violet tractor under the harbour"} {
		ok, rehash, err := Verify(d, pw)
		if err != nil || ok || rehash {
			t.Errorf("Verify(Dummy(), %q) = %v, %v, %v; want false, false, nil", pw, ok, rehash, err)
		}
	}
}

// FuzzDecode feeds Verify's parser arbitrary text: it must not panic, and
// whatever it accepts must be within the limits (so a stored hash cannot make
// a sign-in allocate more than 1 GiB) and must survive encode unchanged in
// meaning.
func FuzzDecode(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$aGVyYWxkc2FsdDAxMjM0NTY$xPGWedyJCDDpS7UYkunuxm6P+4Pc5jl6w+08Kvv2INo")
	f.Add("$argon2id$v=19$m=1024,t=2,p=4$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw")
	f.Add("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := decode(s)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("decode(%q) error %v is not errMalformed", s, err)
			}
			return
		}
		if p.memory > maxMemory || p.memory < 8*uint32(p.threads) || p.time < 1 || p.time > maxTime || p.threads < 1 ||
			len(salt) < minSaltLen || len(salt) > maxSaltLen || len(key) < minKeyLen || len(key) > maxKeyLen {
			t.Fatalf("decode(%q) accepted out-of-range %+v, salt %d, key %d", s, p, len(salt), len(key))
		}
		p2, salt2, key2, err := decode(encode(p, salt, key))
		if err != nil || p2 != p || string(salt2) != string(salt) || string(key2) != string(key) {
			t.Fatalf("decode(encode(decode(%q))) = %+v, %v", s, p2, err)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("violet tractor under the harbour"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h, err := Hash("violet tractor under the harbour")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := Verify(h, "violet tractor under the harbour"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
