package herald

// PageFilter selects pages for a list, newest first.
type PageFilter struct {
	// ServiceID and Status narrow the list; empty means any.
	ServiceID string
	Status    PageStatus
	// Before is a page id: only pages older than it (by first seen, then
	// id) are listed, so the next screen starts where the last ended.
	Before string
	// Limit is how many pages at most; 1 to 500, 50 when out of range.
	Limit int
}
