package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on Linux.
const clockTicks = 100

// procCPU is the user+sys CPU time the process has used.
func procCPU(pid int) (time.Duration, error) {
	return procStatTimes(pid, 2)
}

// procCPUWithChildren adds the CPU time of the process's children that
// ended (cutime, cstime): PostgreSQL backends that exit within a window
// count through the postmaster.
func procCPUWithChildren(pid int) (time.Duration, error) {
	return procStatTimes(pid, 4)
}

// procStatTimes sums the first n of utime, stime, cutime, cstime (fields 14
// to 17 of /proc/<pid>/stat).
func procStatTimes(pid, n int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(raw), ')')
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 11+n {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	var ticks int64
	for _, field := range f[11 : 11+n] {
		v, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %q", pid, field)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// procStatusKiB reads a kB field of /proc/<pid>/status (VmRSS, VmHWM).
func procStatusKiB(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// cpuSplit is the CPU time each kind of process used, and the machine's
// busy and total time, from /proc: where the cores go during a run.
type cpuSplit struct {
	groups      map[string]time.Duration
	busy, total time.Duration
}

// readCPUSplit sums user+sys per process group: the child (target), this
// process (driver and fake Bot API server), PostgreSQL, Redis, the rest.
func readCPUSplit(child int) (cpuSplit, error) {
	s := cpuSplit{groups: map[string]time.Duration{}}
	self := os.Getpid()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return s, err
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		cpu, err := procCPUWithChildren(pid)
		if err != nil {
			continue // gone meanwhile
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		name := strings.TrimSpace(string(comm))
		switch {
		case pid == child:
			name = "target"
		case pid == self:
			name = "driver+fake"
		case strings.HasPrefix(name, "postgres"):
			name = "postgres"
		case name == "redis-server":
			name = "redis"
		default:
			name = "other"
		}
		s.groups[name] += cpu
	}
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	for i, f := range strings.Fields(line)[1:] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return s, fmt.Errorf("/proc/stat: %q", line)
		}
		d := time.Duration(v) * time.Second / clockTicks
		s.total += d
		if i != 3 && i != 4 { // idle, iowait
			s.busy += d
		}
	}
	return s, nil
}

// since is the CPU used between an earlier reading and s. Processes that
// started within the window count from zero, ones that ended are missed.
func (s cpuSplit) since(before cpuSplit) cpuSplit {
	d := cpuSplit{groups: map[string]time.Duration{}, busy: s.busy - before.busy, total: s.total - before.total}
	for g, v := range s.groups {
		d.groups[g] = v - before.groups[g]
	}
	return d
}
