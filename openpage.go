package herald

// OpenPage is a page not yet resolved with the people notified for it:
// what the console's Now screen lists.
type OpenPage struct {
	*Page
	// Notified are the ids of the users notified, each once, in the order
	// they were first notified.
	Notified []string
}
