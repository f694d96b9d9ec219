package userland

// lines is a small text file used by several cases.
const lines = "foo\nbar\nbaz qux\nFoo Bar\nabc\na.c\n"

var fifteen = func() string {
	s := ""
	for i := 1; i <= 15; i++ {
		s += "line " + string(rune('a'+i-1)) + "\n"
	}
	return s
}()

// Cases is the table run natively against dash and GNU tools, and reusable
// inside the LibOS (same scripts, same files, same expected behaviour).
var Cases = []Case{
	// --- shell: words and quoting ---
	{Name: "echo", Script: `echo hello   world`},
	{Name: "quoting", Script: `x=val; echo "x=$x" 'x=$x' "${x}s" \$x a\ b "a\"b" 'it'\''s' "" end`},
	{Name: "empty-args", Script: `f() { echo $#; }; f "" ""; x=; f $x "$x"; f ''`},
	{Name: "at-star", Script: `set -- "a b" c; for i in "$@"; do echo "[$i]"; done; for i in $*; do echo "[$i]"; done; echo "$*"; echo $#`},
	{Name: "at-empty", Script: `set --; for i in "$@"; do echo "[$i]"; done; echo "[$@]" "$#"`},
	{Name: "positional", Script: `sh -c 'echo $0 $1 $2 $#' name a b`},
	{Name: "field-splitting", Script: `x="a  b   c"; for w in $x; do echo "<$w>"; done; echo "$x"`},
	{Name: "ifs", Script: `IFS=:; x=a:b::c; for w in $x; do echo "<$w>"; done`},
	{Name: "backslashes", Script: `env echo a\\b "c\\d" 'e\f' "g\h" \\`},
	{Name: "comments", Script: "echo a # not printed\n# a comment line\necho b#c"},
	{Name: "multiline", Script: "echo one\necho two;echo three\n\n  echo four"},
	{Name: "param-ops", Script: `f=dir/sub/file.tar.gz; echo ${f##*/} ${f#*/} ${f%.*} ${f%%.*} ${#f}; echo ${u:-def} ${u-d2} "${u:+alt}" ${f:+alt}; echo ${u:=set} $u`},
	{Name: "special-params", Script: `[ -n "$$" ] && echo pid-ok; false; echo $?; true; echo $?; set -- a b c; echo $# $1 $3; shift; echo $1 $#`},
	{Name: "arith", Script: `i=3; echo $((1+2*3)) $((10/3)) $((10%3)) $(( (1+2)*3 )) $((-5+2)) $((i*i)) $((i<5)) $((i==3 && 1)) $((1<<4))`},
	{Name: "cmdsubst", Script: "x=$(echo hi); echo \"[$x]\" $(echo a; echo b) \"$(echo \"q  q\")\" \x60echo back\x60; echo $(echo $(echo nested))"},
	{Name: "cmdsubst-status", Script: `x=$(false); echo $?; x=$(true); echo $?`},
	{Name: "cmdsubst-newlines", Script: `x="$(echo a; echo; echo)"; echo "[$x]"`},
	{Name: "tilde", Script: `HOME=/home/u; echo ~ ~/x "~" x~`},

	// --- shell: lists and control flow ---
	{Name: "and-or", Script: `true && echo a || echo b; false && echo c || echo d; false || false || echo e; true && false; echo $?`},
	{Name: "pipeline-status", Script: `false | true; echo $?; true | false; echo $?; ! true; echo $?; ! false | false; echo $?`},
	{Name: "if", Script: "x=2\nif [ $x -eq 1 ]; then echo one\nelif [ $x -eq 2 ]; then\n  echo two\nelse echo other; fi\nif false; then echo no; fi; echo $?"},
	{Name: "while", Script: `i=0; while [ $i -lt 5 ]; do echo $i; i=$((i+1)); done`},
	{Name: "until", Script: `i=3; until [ $i -eq 0 ]; do echo $i; i=$((i-1)); done`},
	{Name: "for", Script: "for x in a b c\ndo\n  echo \"item $x\"\ndone; for y in; do echo never; done; echo end"},
	{Name: "for-glob", Script: `for f in *.txt; do echo $f; done; echo *.none; echo "*.txt"`, Files: map[string]string{"a.txt": "", "b.txt": "", "c.log": ""}},
	{Name: "break-continue", Script: `for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done; for a in 1 2; do for b in 1 2; do [ $b = 2 ] && continue 2; echo $a$b; done; done`},
	{Name: "case", Script: `for w in apple b.c Zed x; do case $w in a*) echo "$w: a";; *.c|*.h) echo "$w: c";; [A-Z]*) echo "$w: upper";; *) echo "$w: other";; esac; done`},
	{Name: "functions", Script: `greet() { echo "hello $1 ($#)"; return 3; }; greet world x; echo $?; echo $1; f() { echo f; }; f`},
	{Name: "subshell", Script: `x=1; (x=2; echo in $x; exit 3); echo $? $x; (cd /; pwd); pwd | grep -c /`},
	{Name: "brace-group", Script: `{ echo a; echo b; } > f; cat f; { echo c; } | cat`},
	{Name: "set-e", Script: `set -e; echo before; false; echo after`},
	{Name: "set-e-cond", Script: `set -e; if false; then :; fi; false || true; ! true; echo survived`},
	{Name: "exit-status", Script: `exit 3`},
	{Name: "exit-wrap", Script: `exit 300`},
	{Name: "exit-in-function", Script: `f() { exit 5; }; f; echo not-here`},
	{Name: "exit-in-pipeline", Script: `exit 4 | true; echo still $?`},
	{Name: "pipeline-vars", Script: `x=1; echo a | { read y; x=2; echo $y; }; echo $x`},
	{Name: "while-read", Script: `ls | while read f; do echo "got $f"; done`, Files: map[string]string{"one": "", "two": ""}},
	{Name: "read", Script: `read a b; echo "[$a] [$b]"; read c; echo "[$c]"; read d; echo $?`, Stdin: "x y z\n  spaced  \n"},
	{Name: "eval", Script: `cmd='echo evaluated $((1+1))'; eval $cmd; eval "x=5"; echo $x`},
	{Name: "dot", Script: `. ./lib.sh; echo $LIBVAR; libfn`, Files: map[string]string{"lib.sh": "LIBVAR=fromlib\nlibfn() { echo in-libfn; }\n"}},

	// --- shell: assignments and environment ---
	{Name: "prefix-assign", Script: `FOO=bar env | grep '^FOO='; echo "[$FOO]"; FOO=1 BAR=2 env | grep -c '^FOO=1$\|^BAR=2$'`},
	{Name: "export-unset", Script: `A=1; env | grep -c '^A='; export A; env | grep '^A='; unset A; env | grep -c '^A='; echo "[$A]"`},
	{Name: "export-assign", Script: `export B=two C; C=three; env | grep '^B='; env | grep '^C='`},
	{Name: "readonly", Script: `x=1; readonly x; x=2; echo $x`},

	// --- shell: redirections ---
	{Name: "redir-out-append", Script: `echo one > f; echo two >> f; cat f; cat < f | wc -l`},
	{Name: "redir-stderr", Script: `ls nosuch 2> err; echo $?; cat err; ls nosuch > out 2>&1; cat out; echo to-err >&2`},
	{Name: "redir-order", Script: `ls nosuch 2>&1 > f | wc -l; cat f`},
	{Name: "redir-fd", Script: `exec 3> g; echo via3 >&3; echo more 1>&3; exec 3>&-; cat g; cat 4<g <&4`},
	{Name: "redir-builtin", Script: `echo x > f; cd . > f2; pwd > f3; cat f f2; [ -s f3 ] && echo f3-ok`},
	{Name: "redir-compound", Script: `for i in 1 2 3; do echo $i; done > f; while read l; do echo "r$l"; done < f; if true; then echo in-if; fi >> f; cat f`},
	{Name: "redir-errors", Script: `echo x > /nonexistent/f; echo $?; cat < nosuch; echo $?; echo after`},
	{Name: "redir-special-error", Script: `: > /nonexistent/f; echo not-reached`},
	{Name: "heredoc", Script: "x=world\ncat <<EOF\nhello $x\n  $(echo sub)\nEOF\ncat <<'EOF'\nraw $x\nEOF\ncat <<-EOF\n\ttabs stripped\n\tEOF\necho end"},
	{Name: "heredoc-pipe", Script: "cat <<EOF | wc -l\na\nb\nc\nEOF"},
	{Name: "noclobber-syntax", Script: `echo a >| f; cat f`},

	// --- shell: errors ---
	{Name: "not-found", Script: `nosuchcmd arg; echo $?`},
	{Name: "not-found-path", Script: `./nosuch; echo $?`},
	{Name: "not-executable", Script: `./plain; echo $?`, Files: map[string]string{"plain": "echo hi\n"}},
	{Name: "is-directory", Script: `mkdir d; ./d; echo $?`},
	{Name: "syntax-eof", Script: `if true; then echo x`},
	{Name: "syntax-unexpected", Script: `echo a; )`},
	{Name: "syntax-quote", Script: `echo "abc`},
	{Name: "syntax-after-run", Script: "echo first\nif then"},
	{Name: "cd-fail", Script: `cd /nonexistent; echo $?`},
	{Name: "cd", Script: `mkdir -p d/e; cd d/e; pwd | grep -c 'd/e$'; cd ..; ls; cd; echo $?`},
	{Name: "shift-too-many", Script: `set -- a; shift 2; echo $?`},
	{Name: "killed-child", Script: `sh -c 'kill -9 $$'; echo $?`},
	{Name: "terminated-child", Script: `sh -c 'kill $$'; echo $?`},
	{Name: "test-builtin", Script: `[ -f a.txt ] && echo file; [ -d . ] && echo dir; [ abc = abc ]; echo $?; [ 1 -eq 2 ]; echo $?; [ ! -e nope ]; echo $?; test -z ""; echo $?; [ 3 -gt 2 -a 2 -ge 2 ]; echo $?; [ x != x -o 1 -lt 2 ]; echo $?; [ a = b ] || echo ne`, Files: map[string]string{"a.txt": "x"}},
	{Name: "script-stdin", Script: `sh`, Stdin: "echo from stdin\nx=1\necho $x\nexit 4\necho no\n"},
	{Name: "script-file", Script: `sh s.sh arg1 arg2; echo $?`, Files: map[string]string{"s.sh": "echo $0 $1 $#\nnosuch\nexit 6\n"}},
	{Name: "script-missing", Script: `sh nosuch.sh; echo $?`},
	{Name: "background-wait", Script: `sleep 0.1 & wait; echo waited $?; { sleep 10 & env kill $!; wait $!; echo $?; } 2>/dev/null`},

	// --- utilities ---
	{Name: "echo-util", Script: `env echo -e 'a\tb\nc\x41\0101'; env echo -n no-newline; env echo; env echo -- -n; env echo -ne 'x\cy'; env echo -E 'a\nb'; env echo -x`},
	{Name: "cat", Script: `cat a.txt b.txt; cat -n a.txt; echo x | cat - a.txt; cat nosuch; echo $?; cat < a.txt`, Files: map[string]string{"a.txt": "A1\nA2\n", "b.txt": "B1"}},
	{Name: "cat-dir", Script: `mkdir d; cat d; echo $?`},
	{Name: "ls", Script: `ls; ls -a; ls -A; ls sub; ls -1 sub a; ls -d sub; ls -r`, Files: map[string]string{"a": "", "b.txt": "", ".hidden": "", "sub/x": "", "sub/y": ""}},
	{Name: "ls-missing", Script: `ls nosuch; echo $?; ls nosuch a; echo $?`, Files: map[string]string{"a": ""}},
	{Name: "ls-long", Script: `ls -l sub; ls -l a b; ls -ln sub`, Files: map[string]string{"a": "12345", "b": "", "sub/big": fifteen, "sub/small": "x"}},
	{Name: "wc", Script: `wc a.txt; wc -l a.txt b.txt; echo a b c | wc; echo a b | wc -w; wc -c < a.txt; wc -lw a.txt; wc nosuch a.txt; echo $?`, Files: map[string]string{"a.txt": lines, "b.txt": "one two"}},
	{Name: "wc-stdin-multi", Script: `cat a.txt | wc; cat a.txt | wc -l; printf_missing=1; wc - < a.txt`, Files: map[string]string{"a.txt": lines}},
	{Name: "grep", Script: `grep foo a.txt; grep -i FOO a.txt; grep -v o a.txt; grep -c a a.txt; grep -n ba a.txt b.txt; grep -q foo a.txt; echo $?; grep zzz a.txt; echo $?; grep foo nosuch; echo $?`, Files: map[string]string{"a.txt": lines, "b.txt": "bar\nnone\n"}},
	{Name: "grep-regex", Script: `grep '^b.[rz]' a.txt; grep -E 'fo+|qux' a.txt; grep 'a\.c' a.txt; grep -F a.c a.txt; grep -x abc a.txt; grep -w Bar a.txt; grep -l foo a.txt b.txt; grep -L foo a.txt b.txt; echo x | grep -c x; grep -e foo -e abc a.txt; grep -h bar a.txt b.txt; grep -s foo nosuch; echo $?`, Files: map[string]string{"a.txt": lines, "b.txt": "bar\n"}},
	{Name: "head", Script: `head f; head -n 3 f; head -2 f; head -n 1 f g; head -c 7 f; echo; cat f | head -n 2; head nosuch; echo $?`, Files: map[string]string{"f": fifteen, "g": "g1\ng2\n"}},
	{Name: "tail", Script: `tail f; tail -n 2 f; tail -n +14 f; tail -3 f; tail -n 1 f g; cat f | tail -n 2; tail -c 4 f; tail -n 1 nonl; echo; tail nosuch; echo $?`, Files: map[string]string{"f": fifteen, "g": "g1\ng2\n", "nonl": "a\nb"}},
	{Name: "mkdir", Script: `mkdir d; mkdir d; echo $?; mkdir -p x/y/z; ls x/y; mkdir -p x/y; echo $?; mkdir a/b/c; echo $?; mkdir; echo $?`},
	{Name: "rm", Script: `rm a; ls; rm nosuch; echo $?; rm -f nosuch; echo $?; mkdir d; rm d; echo $?; rm -r d sub; ls; rm; echo $?`, Files: map[string]string{"a": "", "b": "", "sub/x/y": ""}},
	{Name: "cp", Script: `cp a c; cat c; mkdir d; cp a b d; ls d; cp nosuch x; echo $?; cp d e; echo $?; cp -r d e; ls e; cp a a; echo $?; cp a; echo $?`, Files: map[string]string{"a": "AAA\n", "b": "BBB\n"}},
	{Name: "mv", Script: `mv a z; ls; mkdir d; mv z b d; ls d; mv nosuch x; echo $?; mv d e; ls`, Files: map[string]string{"a": "AAA\n", "b": "BBB\n"}},
	{Name: "env", Script: `env -i A=1 B=2; env -u HOME env | grep -c '^HOME='; env X=y sh -c 'echo $X'; env nosuchcmd; echo $?; env -i; echo $?`},
	{Name: "sleep", Script: `sleep 0.05; echo $?; sleep 0.01 0.02; sleep x; echo $?; sleep; echo $?`},
	{Name: "true-false", Script: `env true; echo $?; env false; echo $?`},
	{Name: "sync", Script: `echo x > f; env sync; echo $?; env sync f; echo $?; env sync -d f; echo $?; env sync -f f; echo $?; env sync nosuch 2>/dev/null; echo $?; cat f`},
	{Name: "kill-list", Script: `env kill -l; env kill -l 9; env kill -l TERM; env kill -L`},
	{Name: "kill-errors", Script: `env kill 999999; echo $?; env kill abc; echo $?`},
	// ps (procps's columns; the whole layout is compared in ps_test.go)
	{Name: "ps", Script: `ps -o pid= -p $$ | grep -c "^ *$$$"; ps -o args= -p $$; ps -o ppid=,pid= -p $$ | wc -w; ps -o pid= -p 999999; echo $?; ps -o nosuch 2>/dev/null; echo $?`},
}
