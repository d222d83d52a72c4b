package main

import "testing"

func TestStepOfGroupsActionsOfOneKind(t *testing.T) {
	for _, c := range []struct{ what, want string }{
		{"/drives", "/drives"},
		{"cb:drv:v1:open:12", "drv:open"},
		{"cb:drv:v1:slot:12:40", "drv:slot"},
		{"cb:fl:v1:screening:ill_now:a:n", "screening answer"},
		{"cb:fl:v1:screening:d7:a:n", "screening answer"},
		{"cb:fl:v1:screening:review:ok", "screening review"},
		{"cb:fl:v1:screening:reuse:a:keep", "screening reuse"},
		{"cb:drv:v1:cancelok:9", "drv:cancelok"},
		{"cb:odd", "odd"},
	} {
		if got := stepOf(c.what); got != c.want {
			t.Errorf("stepOf(%q) = %q, want %q", c.what, got, c.want)
		}
	}
}
