package main

// The IANA time zone database, in the binary (about 450 KB): schedules,
// time rules and the status page load zones by name, and the container
// image (FROM scratch) and minimal hosts have no /usr/share/zoneinfo. A
// system database, where there is one, is still read first.
import _ "time/tzdata"
