// Package password hashes and verifies the passwords of local users and
// decides which passwords may be set at all.
//
// Hashes are argon2id in the PHC string format, so the parameters travel
// with each hash: raising them later needs no migration, only a rehash on
// the next successful sign-in (Verify reports needsRehash). The policy
// (Check) follows NIST SP 800-63B: a minimum length and a list of passwords
// that attackers try first, and no composition rules, which push people to
// "Password1!" rather than to something long.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// params are the cost of one argon2id hash.
type params struct {
	memory  uint32 // KiB
	time    uint32 // passes over the memory
	threads uint8
	saltLen int // bytes
	keyLen  int // bytes
}

// current are the parameters new hashes get: OWASP's Password Storage Cheat
// Sheet recommends argon2id with at least 19 MiB of memory, 2 passes and 1
// degree of parallelism. That is its first and least memory-hungry
// configuration; we take it because every sign-in holds that much memory for
// the length of a hash, and Herald runs on small machines, where a burst of
// sign-ins must not exhaust memory. It costs about 25-40 ms of one core
// (BenchmarkHash). One thread keeps a hash on one core, so concurrent
// sign-ins do not starve the rest of the server. A 16-byte salt and a
// 32-byte key are the sizes RFC 9106 recommends.
var current = params{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// Limits on the parameters Verify accepts from a stored hash, so that a
// corrupted or planted row cannot make one sign-in allocate gigabytes or run
// for minutes. They are far above anything Hash produces.
const (
	maxMemory  = 1024 * 1024 // KiB, 1 GiB
	maxTime    = 64
	minSaltLen = 8   // RFC 9106's minimum
	minKeyLen  = 16  // below this a match by chance becomes thinkable
	maxKeyLen  = 128 // bytes; nothing needs more
	maxSaltLen = 128
)

// Hash returns an encoded argon2id hash (PHC string format:
// $argon2id$v=19$m=...,t=...,p=...$salt$hash) with a random 16-byte salt.
//
// It does not apply the policy: call Check first when a person chooses a
// password.
func Hash(pw string) (string, error) {
	return hash(pw, current)
}

func hash(pw string, p params) (string, error) {
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, uint32(p.keyLen))
	return encode(p, salt, key), nil
}

func encode(p params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// errMalformed is wrapped by every error Verify returns for a hash it cannot
// read; the text never contains the hash.
var errMalformed = errors.New("malformed password hash")

// decode parses a PHC string as written by encode. It accepts only argon2id
// version 19 (the only version golang.org/x/crypto/argon2 computes), the
// parameters in the order m, t, p, and unpadded standard base64 (what the
// reference implementation and other libraries write).
func decode(encoded string) (params, []byte, []byte, error) {
	bad := func(what string) (params, []byte, []byte, error) {
		return params{}, nil, nil, fmt.Errorf("%w: %s", errMalformed, what)
	}
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" {
		return bad("not a PHC string with 5 fields")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version is not 19")
	}
	var p params
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("parameters are not m, t, p")
	}
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return bad("parameters are not m, t, p")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad("parameter " + name + " is not a number")
		}
		switch name {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n < 1 || n > 255 {
				return bad("parallelism out of range")
			}
			p.threads = uint8(n)
		}
	}
	if p.time < 1 || p.time > maxTime {
		return bad("time out of range")
	}
	if p.memory < 8*uint32(p.threads) || p.memory > maxMemory {
		return bad("memory out of range")
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return bad("salt")
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return bad("key")
	}
	p.saltLen, p.keyLen = len(salt), len(key)
	return p, salt, key, nil
}

// Verify reports whether pw matches the encoded hash, in constant time; a
// malformed hash is an error. needsRehash is true when the hash's
// parameters are weaker than the current ones: the caller should then store
// Hash(pw) after a successful sign-in. It is reported with ok false too, but
// means nothing then.
//
// Its cost is that of the stored hash's parameters, so for an unknown
// account run it against Dummy() and ignore the result.
func Verify(encoded, pw string) (ok, needsRehash bool, err error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, weaker(p, current), nil
}

// weaker reports whether p costs an attacker less than c on any axis.
// Parallelism is not compared: more lanes at the same memory and time are
// not cheaper to attack, and fewer are not weaker.
func weaker(p, c params) bool {
	return p.memory < c.memory || p.time < c.time || p.saltLen < c.saltLen || p.keyLen < c.keyLen
}

// Dummy returns a hash Verify can be run against when the account does not
// exist, so a sign-in for an unknown address takes as long as one for a
// known address. It is made once, on first use, with the current
// parameters, from a random password nobody knows.
//
// The sign-in must still refuse an unknown account whatever Verify answers.
func Dummy() string { return dummy() }

var dummy = sync.OnceValue(func() string {
	pw := make([]byte, 32)
	_, _ = rand.Read(pw) // crypto/rand.Read never fails (Go 1.24+)
	h, err := Hash(base64.RawStdEncoding.EncodeToString(pw))
	if err != nil {
		panic("password: cannot make the dummy hash: " + err.Error())
	}
	return h
})
