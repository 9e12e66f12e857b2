package herald

import (
	"net/url"
	"strings"
)

// SecretTarget says whether a contact method's or subscriber's target is a
// credential: the URL of a webhook, of a Slack or Mattermost incoming webhook or
// of a Teams workflow, whose path lets anyone who holds it post. Herald stores
// such a target encrypted and shows it only masked (MaskURL); e-mail
// addresses, phone numbers and Slack member ids are not secrets.
func SecretTarget(kind, target string) bool {
	switch kind {
	case "webhook", "teams", "mattermost":
		return true
	case "slack":
		return !SlackMemberID(target)
	}
	return false
}

// ShownTarget is a target as Herald shows it after saving: a secret URL
// masked, anything else whole.
func ShownTarget(kind, target string) string {
	if SecretTarget(kind, target) {
		return MaskURL(target)
	}
	return target
}

// RedactTarget takes a secret target out of a text (a delivery's error)
// before it is stored or logged: a sender's error may quote the URL it
// posted to (net/http's does), and a chat webhook's path is its
// credential. The URL is replaced by its masked form, a part of it (its
// path, its query) by "/…".
func RedactTarget(text, kind, target string) string {
	if target == "" || !SecretTarget(kind, target) {
		return text
	}
	text = strings.ReplaceAll(text, target, MaskURL(target))
	if u, err := url.Parse(target); err == nil {
		for _, part := range []string{u.String(), url.QueryEscape(target), u.RequestURI(), u.EscapedPath(), u.Path, u.RawQuery} {
			if len(part) > 4 {
				text = strings.ReplaceAll(text, part, maskedPath)
			}
		}
	}
	return text
}

// maskedPath is the path of a masked URL: what MaskURL leaves of the path.
const maskedPath = "/…"

// MaskedURL says whether a URL is one Herald masked: given back (from an
// export, a copied answer) it would post nowhere useful, so it is refused
// where a URL is given.
func MaskedURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Path == maskedPath || strings.HasPrefix(u.Path, maskedPath+"/"))
}

// MaskURL shows a secret URL without its credential: its scheme and host,
// enough to tell where it goes, and its last four characters, enough to
// tell two apart ("https://hooks.slack.com/…/a1b2"). A short path is left
// out entirely. It is idempotent: a masked URL masks to itself.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if strings.HasPrefix(raw, "••••") {
			return raw // masked already
		}
		return Mask(raw)
	}
	prefix := u.Scheme + "://" + u.Host
	if u.Path == maskedPath || strings.HasPrefix(u.Path, maskedPath+"/") {
		return prefix + u.Path // masked already
	}
	rest := strings.TrimPrefix(raw, prefix)
	if i := strings.LastIndex(raw, "@"+u.Host); i >= 0 && u.User != nil {
		rest = raw[i+1+len(u.Host):] // the user name and password never show
	}
	r := []rune(rest)
	if len(r) <= 8 {
		return prefix + maskedPath
	}
	return prefix + maskedPath + "/" + string(r[len(r)-4:])
}
