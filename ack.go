package herald

// AckLink is what a signed acknowledge link (in every page notification)
// stands for: one person's notification of one page. The link acts as that
// person and no one else, on that page only, and only while the page is
// not resolved: whoever holds the link holds what the notification gave.
type AckLink struct {
	// Actor is the person notified, with their own role.
	Actor        Actor
	Notification Notification
	Page         *Page
	// Service is the page's service's name.
	Service string
	// Restricted says the page is about a FedRAMP tenant (R46): Page is
	// then RestrictedPage (its summary the reference, nothing monitoring
	// sent) and Service is empty, since the link needs no sign-in.
	Restricted bool
	// Levels is how many levels the service's escalation policy has (0
	// without one): the choices of "escalate to level".
	Levels int
}
