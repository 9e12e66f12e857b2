package benchkit

import (
	"bytes"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ProcStat reads a process's parent and the CPU time (user and system, in
// seconds) it has used from /proc; zeros when it cannot (not Linux, or the
// process is gone).
func ProcStat(pid int) (ppid int, cpu float64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold spaces
	if i < 0 {
		return 0, 0
	}
	f := strings.Fields(string(b[i+1:])) // fields from 3 (state) on
	if len(f) < 13 {
		return 0, 0
	}
	ppid, _ = strconv.Atoi(f[1])
	utime, _ := strconv.ParseFloat(f[11], 64) // field 14
	stime, _ := strconv.ParseFloat(f[12], 64) // field 15
	return ppid, (utime + stime) / 100        // USER_HZ is 100 on Linux
}

// Percentiles sorts ds and returns its median, 99th percentile and
// maximum (the element at that rank, not interpolated); zeros when ds is
// empty.
func Percentiles(ds []time.Duration) (p50, p99, max time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], ds[len(ds)*99/100], ds[len(ds)-1]
}
