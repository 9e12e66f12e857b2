package password

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// MinLength is the fewest characters (runes) a password may have. Twelve
// rather than NIST's floor of eight because Herald's accounts can page
// people and publish to the public status page; a passphrase of a few words
// passes it easily.
const MinLength = 12

// maxLength bounds what a person may choose. Argon2 would take more, but no
// one types 256 characters, and a bound keeps forms and requests small.
const maxLength = 256

// commonPasswords is the list of the most common passwords, one per line,
// lower-cased, most common first: the 49,233 entries of passwords.json in
// the npm package @zxcvbn-ts/language-common 4.1.3 (MIT licence, copyright
// Dan Wheeler, Dropbox, Inc. and @zxcvbn-ts; the licence is in
// common-passwords.LICENSE beside this file). zxcvbn built it from leaked
// password corpora ranked by frequency. Most entries are shorter than
// MinLength and are refused by length already; the list is kept whole
// because looking one up is cheap and the file is small (380 KB).
//
//go:embed common-passwords.txt
var commonPasswords []byte

// common is the list as a set, built on the first Check so that processes
// that never set a password do not pay for it.
var common = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, bytes.Count(commonPasswords, []byte("\n")))
	sc := bufio.NewScanner(bytes.NewReader(commonPasswords))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			set[w] = struct{}{}
		}
	}
	return set
})

// isCommon reports whether pw, ignoring case, is on the list.
func isCommon(pw string) bool {
	_, ok := common()[strings.ToLower(pw)]
	return ok
}

// Check applies the password policy before a password is set: at least
// MinLength characters (runes, so a password in any script counts what
// its owner typed) and at most 256; not one of the most common passwords
// (ignoring case); not the user's own e-mail address or its local part (the
// first thing an attacker who knows the address tries). It returns an
// *herald.Error with code herald.EInvalid, Fields{"password": reason} and a
// message that tells the person what to do instead.
//
// The password is never part of the error.
func Check(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return refuse("must be at least 12 characters",
			"Choose a longer password: at least 12 characters. A few unrelated words make one that is strong and easy to remember.")
	case n > maxLength:
		return refuse("must be at most 256 characters",
			"Choose a shorter password: at most 256 characters.")
	case isOwnEmail(pw, email):
		return refuse("must not be your e-mail address",
			"Choose a password that is not your e-mail address or the part before the @: it is the first thing an attacker tries.")
	case isCommon(pw):
		return refuse("is one of the most common passwords",
			"Choose another password: this one is among the most common passwords, which attackers try first. A few unrelated words make one that is strong and easy to remember.")
	}
	return nil
}

func refuse(reason, message string) error {
	return &herald.Error{Code: herald.EInvalid, Message: message, Fields: map[string]string{"password": reason}}
}

// isOwnEmail reports whether pw is, ignoring case and surrounding spaces in
// the address, the whole address or the part before its last @.
func isOwnEmail(pw, email string) bool {
	email = strings.TrimSpace(email)
	if email == "" {
		return false
	}
	if strings.EqualFold(pw, email) {
		return true
	}
	if i := strings.LastIndexByte(email, '@'); i > 0 {
		return strings.EqualFold(pw, email[:i])
	}
	return false
}
