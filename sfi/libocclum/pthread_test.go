package libocclum

import (
	"strings"
	"testing"
)

// TestPthreadInLibOS runs test/pthread.c inside a LibOS: the behaviours of
// the single-threaded <pthread.h> that differ from Linux (which would hang
// or start a thread), so that test/pthread_single cannot compare them.
func TestPthreadInLibOS(t *testing.T) {
	st, stdout, stderr := runCInLibOS(t, "test/pthread.c", "/bin/pthread")
	// pthread_exit: cleanup handlers, then key destructors, then exit(0).
	wantOut := "pthread: PASS\ncleanup: handler\ndestructor: key\n"
	if st.ShellStatus() != 0 || stdout != wantOut {
		t.Errorf("pthread in the LibOS: status %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", st.ShellStatus(), stdout, wantOut, stderr)
	}
	// pthread_create says why it fails, once.
	wantErr := "pthread_create: this LibOS runs one thread per process (use posix_spawn)\n"
	if !strings.Contains(stderr, wantErr) || strings.Count(stderr, "pthread_create") != 1 {
		t.Errorf("stderr:\n%s\nwant the pthread_create message once:\n%s", stderr, wantErr)
	}
}

// TestPthreadImports: the locks, conditions, once and keys import nothing
// from the LibOS; pthread_sigmask and pthread_kill import what sigprocmask
// and raise do.
func TestPthreadImports(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"locks, once, keys, create", `#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t o = PTHREAD_ONCE_INIT;
static void init(void) {}
static void *run(void *a) { return a; }
int main(void) {
	pthread_cond_t c = PTHREAD_COND_INITIALIZER; pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	pthread_key_t k; pthread_t t; struct timespec ts = {0, 0};
	pthread_once(&o, init); pthread_key_create(&k, 0); pthread_setspecific(k, &k);
	pthread_mutex_lock(&m); pthread_cond_timedwait(&c, &m, &ts); pthread_mutex_unlock(&m);
	pthread_rwlock_rdlock(&rw);
	return pthread_create(&t, 0, run, 0) + pthread_join(pthread_self(), 0);
}`, nil},
		{"pthread_exit", `#include <pthread.h>
int main(void) { pthread_exit(0); }`, nil},
		{"pthread_sigmask", `#include <signal.h>
int main(void) { sigset_t s; sigemptyset(&s); return pthread_sigmask(SIG_BLOCK, &s, 0); }`, []string{"sigprocmask"}},
		{"pthread_kill", `#include <pthread.h>
#include <signal.h>
int main(void) { return pthread_kill(pthread_self(), SIGUSR1); }`, []string{"getpid", "kill"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(moduleImports(t, compile(t, tt.src)))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("occlum imports %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPthreadHeader: <pthread.h> compiles cleanly in the strict modes,
// before or after the headers that share its types, with the calls in use
// (TestHeaders includes it in C++ and among all the overlay headers).
func TestPthreadHeader(t *testing.T) {
	body := `int main(void) {
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER; pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER; static pthread_once_t o = PTHREAD_ONCE_INIT;
	sigset_t s; sigemptyset(&s); (void)o; (void)PTHREAD_KEYS_MAX; (void)PTHREAD_CANCEL_DISABLE;
	int r = pthread_mutex_lock(&m) + pthread_cond_signal(&c) + pthread_rwlock_rdlock(&rw);
	r += pthread_sigmask(SIG_BLOCK, &s, 0) + pthread_equal(pthread_self(), pthread_self());
	return r;
}
`
	for _, tt := range []struct {
		name, pre string
		flags     []string
	}{
		{"gnu11", "#define _GNU_SOURCE\n#include <pthread.h>\n#include <signal.h>\n#include <sys/types.h>\n", nil},
		{"after sys/types.h and signal.h", "#include <sys/types.h>\n#include <signal.h>\n#include <pthread.h>\n", nil},
		{"c99 posix", "#define _POSIX_C_SOURCE 200809L\n#include <pthread.h>\n#include <signal.h>\n", []string{"-std=c99", "-pedantic"}},
		{"c11", "#include <signal.h>\n#include <pthread.h>\n", []string{"-std=c11", "-pedantic"}},
	} {
		t.Run(tt.name, func(t *testing.T) { compile(t, tt.pre+body, tt.flags...) })
	}
}
