package libos

import (
	"strings"
	"testing"
)

func TestTrapSummary(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"wasm error: out of bounds memory access\nwasm stack trace:\n\t.deep(i32,i32) i32\n\t.deep(i32,i32) i32\n\t.main(i32,i32) i32\n\t.__main_void() i32\n\t.__original_main() i32\n\t._start()\n\t._start.command_export()",
			"out of bounds memory access at deep <- deep <- main"},
		{"wasm error: unreachable\nwasm stack trace:\n\tlua.lua_rawgeti(i32,i32,i32) i32\n\t\t0x1234: /src/lua/lapi.c:712:3\n\tlua.luaV_execute(i32,i32)\n\t\t0x5678: /src/lua/lvm.c:1150:9",
			"unreachable at lua_rawgeti (lapi.c:712:3) <- luaV_execute (lvm.c:1150:9)"},
		{"wasm error: integer divide by zero\nwasm stack trace:\n\t.f1()\n\t.f2()\n\t.f3()\n\t.f4()\n\t.f5()\n\t.f6()\n\t.f7()\n\t.f8()",
			"integer divide by zero at f1 <- f2 <- f3 <- f4 <- f5 <- f6 <- …"},
		{"wasm error: stack overflow", "stack overflow"},
		// An error a host function re-raised (sfi/nonlocal's invokes).
		{"stack overflow: more than 4096 nested calls (recovered by wazero)\nwasm stack trace:\n\t.rec(i32) i32\n\t.main(i32,i32) i32",
			"stack overflow: more than 4096 nested calls at rec <- main"},
		// Names come from the guest: no escape sequence reaches the
		// user's terminal, and none is endless.
		{"wasm error: unreachable\nwasm stack trace:\n\t.evil\x1b]0;pwned\x07\x1b[2J(i32)\n\t\t0x1: /x/\x1b[31mred.c:1:1\n\t." + strings.Repeat("a", 200) + "()",
			"unreachable at evil?]0;pwned??[2J (?[31mred.c:1:1) <- " + strings.Repeat("a", 80) + "…"},
		{"module closed with exit_code(137)", "module closed with exit_code(137)"},
	} {
		if got := trapSummary(c.in); got != c.want {
			t.Errorf("trapSummary(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
