package server

import (
	"github.com/heraldhq/herald"
)

// redact is the one place where answers lose the secrets their caller may
// not see; op applies it to every JSON API answer. A secret is something
// that lets its holder act or reach someone: a service's integration key
// (it is the credential of /v2/enqueue and the Alertmanager route: with it
// anyone can trigger or resolve that service's pages), a webhook or chat
// URL (its path is the credential), a phone number. Admins see them all; a
// user sees their own contact methods; everyone else sees them masked.
//
// Dedup keys on pages stay visible: they correlate a page with the alert
// that opened it, and without the integration key they let nobody act.
//
// It returns a copy where it masks, never changing what it was given.
func redact(out any, a herald.Actor) any {
	if a.Role == herald.RoleAdmin {
		return out
	}
	switch v := out.(type) {
	case Services:
		list := make([]*herald.Service, len(v.Services))
		for i, s := range v.Services {
			list[i] = redactService(s)
		}
		return Services{Services: list}
	case *herald.Service:
		return redactService(v)
	case ContactMethods:
		list := make([]herald.ContactMethod, len(v.ContactMethods))
		for i, m := range v.ContactMethods {
			list[i] = redactMethod(m, a)
		}
		return ContactMethods{ContactMethods: list}
	case herald.ContactMethod:
		return redactMethod(v, a)
	case StakeholderChannels:
		list := make([]herald.Subscriber, len(v.Channels))
		for i, c := range v.Channels {
			list[i] = redactChannel(c)
		}
		return StakeholderChannels{Channels: list}
	case herald.Subscriber:
		return redactChannel(v)
	}
	return out
}

func redactService(s *herald.Service) *herald.Service {
	if s == nil {
		return nil
	}
	c := *s
	c.IntegrationKey = herald.Mask(c.IntegrationKey)
	return &c
}

// redactMethod masks a contact method's phone number or URL for anyone but
// its user; e-mail addresses are shown (users' addresses are, too).
func redactMethod(m herald.ContactMethod, a herald.Actor) herald.ContactMethod {
	if a.User.ID != "" && a.User.ID == m.UserID {
		return m
	}
	if m.Kind != "email" {
		m.Target = herald.Mask(m.Target)
	}
	m.Secret = ""
	return m
}

func redactChannel(c herald.Subscriber) herald.Subscriber {
	if c.Kind != "email" {
		c.Target = herald.Mask(c.Target)
	}
	c.Secret = ""
	return c
}
