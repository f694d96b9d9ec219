/* C++ exceptions: the runtime half of clang's Emscripten-style lowering
 * (-mllvm -enable-emscripten-cxx-exceptions, which occlum-g++ passes),
 * with the Itanium C++ ABI's entry points (__cxa_throw, __cxa_begin_catch,
 * ...). Debian's libc++abi for wasm32 is built without exceptions, so this
 * member defines them, and every symbol of libc++abi's cxa_noexception.o,
 * whose versions would terminate (std::exception_ptr, uncaught_exceptions).
 *
 * How a throw travels: __cxa_throw records the exception as the one in
 * flight and unwinds (unwind.c: __THREW__ = 1) to the innermost env.invoke_*
 * call, which the lowering puts around every call in a try block or with
 * destructors to run. There the lowered landing pad asks
 * __cxa_find_matching_catch_N(its catch types...) which clause matches
 * (the "selector", in tempRet0, is compared with llvm_eh_typeid_for(type)
 * of each clause), runs its cleanups, and either enters the catch
 * (__cxa_begin_catch ... __cxa_end_catch) or throws on
 * (__resumeException). Type matching is libc++abi's own: the catch type's
 * can_catch, through its vtable. A throw that no invoke catches ends the
 * program as std::terminate does, naming the exception.
 *
 * Exceptions that libc++.a and libc++abi.a themselves raise (they were
 * compiled without exceptions: std::stoi of a bad string, operator new
 * failing) still abort; those that header templates raise (vector::at,
 * map::at, optional::value) and dynamic_cast's bad_cast are real. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void setTempRet0(int);
void __occlum_throw(int threw, int value);
char *__cxa_demangle(const char *, char *, size_t *, int *);

/* The header before every exception object. 16 bytes... a multiple of 16,
 * so the object after it is as aligned as malloc's blocks. */
struct header {
	const void *type;       /* std::type_info of the thrown object */
	void *(*dtor)(void *);  /* its destructor (on wasm, returns this), or NULL */
	void *adjusted;         /* what the matching catch clause receives */
	struct header *next;    /* the caught-exceptions stack */
	int32_t handlers;       /* catch blocks running for it */
	int32_t refs;           /* the throw, std::exception_ptrs */
	uint8_t rethrown;       /* thrown again from its catch block */
	uint8_t on_stack;
	uint8_t pad[6];
};
_Static_assert(sizeof(struct header) % 16 == 0, "header alignment");

static struct header *in_flight; /* the exception being thrown */
static struct header *caught;    /* the innermost caught exception */
static unsigned uncaught;        /* thrown and not yet caught */

static struct header *header_of(void *obj)
{
	return (struct header *)obj - 1;
}

/* ---- libc++abi's type_info, reached through vtables ----
 *
 * std::type_info is {vptr, const char *name}. libc++abi's
 * __shim_type_info (every type_info a program has) adds virtual noop1,
 * noop2 and can_catch after the two destructors: can_catch is slot 4.
 * std::exception's vtable has what() in slot 2. */
typedef int (*can_catch_fn)(const void *self, const void *thrown, void **adjusted);
typedef const char *(*what_fn)(const void *self);

extern const char _ZTISt9exception[]; /* typeid(std::exception) */

static int can_catch(const void *catch_type, const void *thrown_type, void **adjusted)
{
	can_catch_fn f = (*(can_catch_fn *const *)catch_type)[4];
	return f(catch_type, thrown_type, adjusted);
}

static const char *type_name(const void *type)
{
	return ((const char *const *)type)[1];
}

_Noreturn static void terminate_uncaught(struct header *h)
{
	const char *name = h != NULL && h->type != NULL ? type_name(h->type) : NULL;
	int status = -1;
	char *demangled = name != NULL ? __cxa_demangle(name, NULL, NULL, &status) : NULL;
	if (name == NULL) {
		fputs("libc++abi: terminating due to uncaught foreign exception\n", stderr);
	} else {
		void *obj = h + 1;
		void *base = obj;
		const char *what = NULL;
		if (can_catch(_ZTISt9exception, h->type, &base))
			what = (*(what_fn *const *)base)[2](base);
		fprintf(stderr, "libc++abi: terminating due to uncaught exception of type %s%s%s\n",
			status == 0 ? demangled : name, what != NULL ? ": " : "", what != NULL ? what : "");
	}
	abort();
}

/* ---- allocation, throwing ---- */

void *__cxa_allocate_exception(size_t size)
{
	struct header *h = calloc(1, sizeof(struct header) + size);
	if (h == NULL) {
		fputs("libc++abi: terminating: out of memory for an exception\n", stderr);
		abort();
	}
	return h + 1;
}

void __cxa_free_exception(void *obj)
{
	free(header_of(obj));
}

static void release(struct header *h)
{
	if (--h->refs > 0)
		return;
	if (h->dtor != NULL)
		h->dtor(h + 1);
	free(h);
}

/* throw_it unwinds with h in flight; it returns only if nothing catches. */
_Noreturn static void throw_it(struct header *h)
{
	in_flight = h;
	uncaught++;
	__occlum_throw(1, 0);
	terminate_uncaught(h);
}

_Noreturn void __cxa_throw(void *obj, const void *type, void *(*dtor)(void *))
{
	struct header *h = header_of(obj);
	h->type = type;
	h->dtor = dtor;
	h->adjusted = obj;
	h->refs = 1;
	throw_it(h);
}

_Noreturn void __cxa_rethrow(void)
{
	struct header *h = caught;
	if (h == NULL) {
		fputs("libc++abi: terminating: rethrow with no exception being handled\n", stderr);
		abort();
	}
	h->rethrown = 1;
	throw_it(h);
}

/* The lowered code resumes an exception that no clause of a landing pad
 * matched, after running that pad's cleanups. */
_Noreturn void __resumeException(void *obj)
{
	struct header *h = obj != NULL ? header_of(obj) : in_flight;
	if (uncaught > 0)
		uncaught--; /* throw_it counts it again */
	throw_it(h);
}

/* ---- landing pads ---- */

int llvm_eh_typeid_for(const void *type)
{
	return (int)(uintptr_t)type;
}

/* find_matching returns the exception in flight and sets the selector:
 * the first of types that catches it (its adjusted pointer kept for
 * __cxa_begin_catch), or for a catch-all clause (NULL) or no match the
 * thrown type, which no typed clause's selector equals. */
static void *find_matching(const void *const *types, int n)
{
	struct header *h = in_flight;
	if (h == NULL) {
		setTempRet0(0);
		return NULL;
	}
	void *obj = h + 1;
	for (int i = 0; i < n; i++) {
		if (types[i] == NULL)
			break;
		void *adjusted = obj;
		if (can_catch(types[i], h->type, &adjusted)) {
			h->adjusted = adjusted;
			setTempRet0(llvm_eh_typeid_for(types[i]));
			return obj;
		}
	}
	h->adjusted = obj;
	setTempRet0(llvm_eh_typeid_for(h->type));
	return obj;
}

/* __cxa_find_matching_catch_N takes N - 2 catch types. */
#define T const void *
#define FIND(n, ...)                                 \
	void *__cxa_find_matching_catch_##n(__VA_ARGS__)
FIND(2, void) { return find_matching(NULL, 0); }
FIND(3, T a) { T t[] = {a}; return find_matching(t, 1); }
FIND(4, T a, T b) { T t[] = {a, b}; return find_matching(t, 2); }
FIND(5, T a, T b, T c) { T t[] = {a, b, c}; return find_matching(t, 3); }
FIND(6, T a, T b, T c, T d) { T t[] = {a, b, c, d}; return find_matching(t, 4); }
FIND(7, T a, T b, T c, T d, T e) { T t[] = {a, b, c, d, e}; return find_matching(t, 5); }
FIND(8, T a, T b, T c, T d, T e, T f) { T t[] = {a, b, c, d, e, f}; return find_matching(t, 6); }
FIND(9, T a, T b, T c, T d, T e, T f, T g) { T t[] = {a, b, c, d, e, f, g}; return find_matching(t, 7); }
FIND(10, T a, T b, T c, T d, T e, T f, T g, T h) { T t[] = {a, b, c, d, e, f, g, h}; return find_matching(t, 8); }
FIND(11, T a, T b, T c, T d, T e, T f, T g, T h, T i) { T t[] = {a, b, c, d, e, f, g, h, i}; return find_matching(t, 9); }
FIND(12, T a, T b, T c, T d, T e, T f, T g, T h, T i, T j) { T t[] = {a, b, c, d, e, f, g, h, i, j}; return find_matching(t, 10); }
FIND(13, T a, T b, T c, T d, T e, T f, T g, T h, T i, T j, T k) { T t[] = {a, b, c, d, e, f, g, h, i, j, k}; return find_matching(t, 11); }
FIND(14, T a, T b, T c, T d, T e, T f, T g, T h, T i, T j, T k, T l) { T t[] = {a, b, c, d, e, f, g, h, i, j, k, l}; return find_matching(t, 12); }
FIND(15, T a, T b, T c, T d, T e, T f, T g, T h, T i, T j, T k, T l, T m) { T t[] = {a, b, c, d, e, f, g, h, i, j, k, l, m}; return find_matching(t, 13); }
FIND(16, T a, T b, T c, T d, T e, T f, T g, T h, T i, T j, T k, T l, T m, T n) { T t[] = {a, b, c, d, e, f, g, h, i, j, k, l, m, n}; return find_matching(t, 14); }
FIND(17, T a, T b, T c, T d, T e, T f, T g, T h, T i, T j, T k, T l, T m, T n, T o) { T t[] = {a, b, c, d, e, f, g, h, i, j, k, l, m, n, o}; return find_matching(t, 15); }
FIND(18, T a, T b, T c, T d, T e, T f, T g, T h, T i, T j, T k, T l, T m, T n, T o, T p) { T t[] = {a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p}; return find_matching(t, 16); }
#undef FIND
#undef T

/* ---- catch blocks ---- */

void *__cxa_begin_catch(void *obj)
{
	if (obj == NULL)
		return NULL;
	struct header *h = header_of(obj);
	h->handlers++;
	h->rethrown = 0;
	if (!h->on_stack) {
		h->next = caught;
		caught = h;
		h->on_stack = 1;
	}
	if (uncaught > 0)
		uncaught--;
	if (in_flight == h)
		in_flight = NULL;
	return h->adjusted;
}

void __cxa_end_catch(void)
{
	struct header *h = caught;
	if (h == NULL || --h->handlers > 0)
		return;
	caught = h->next;
	h->on_stack = 0;
	if (!h->rethrown)
		release(h);
}

void *__cxa_get_exception_ptr(void *obj)
{
	return header_of(obj)->adjusted;
}

const void *__cxa_current_exception_type(void)
{
	return caught != NULL ? caught->type : NULL;
}

_Noreturn void __cxa_call_unexpected(void *obj)
{
	(void)obj;
	fputs("libc++abi: terminating: an exception violated a dynamic exception specification\n", stderr);
	abort();
}

/* ---- std::exception_ptr, std::uncaught_exceptions (libc++'s
 * exception.cpp calls these) ---- */

void *__cxa_current_primary_exception(void)
{
	if (caught == NULL)
		return NULL;
	caught->refs++;
	return caught + 1;
}

void __cxa_increment_exception_refcount(void *obj)
{
	if (obj != NULL)
		header_of(obj)->refs++;
}

void __cxa_decrement_exception_refcount(void *obj)
{
	if (obj != NULL)
		release(header_of(obj));
}

void __cxa_rethrow_primary_exception(void *obj)
{
	if (obj == NULL)
		return;
	struct header *h = header_of(obj);
	h->refs++;
	h->adjusted = obj;
	throw_it(h);
}

_Bool __cxa_uncaught_exception(void)
{
	return uncaught != 0;
}

unsigned __cxa_uncaught_exceptions(void)
{
	return uncaught;
}

/* ---- the standard exceptions the language runtime throws (libc++abi's
 * cxa_aux_runtime.o would abort instead) ---- */

extern const char _ZTISt8bad_cast[], _ZTISt10bad_typeid[], _ZTISt20bad_array_new_length[];
void *_ZNSt8bad_castC1Ev(void *), *_ZNSt8bad_castD1Ev(void *);
void *_ZNSt10bad_typeidC1Ev(void *), *_ZNSt10bad_typeidD1Ev(void *);
void *_ZNSt20bad_array_new_lengthC1Ev(void *), *_ZNSt20bad_array_new_lengthD1Ev(void *);

/* Each is a class with only a vtable pointer. */
_Noreturn void __cxa_bad_cast(void)
{
	void *e = __cxa_allocate_exception(sizeof(void *));
	_ZNSt8bad_castC1Ev(e);
	__cxa_throw(e, _ZTISt8bad_cast, _ZNSt8bad_castD1Ev);
}

_Noreturn void __cxa_bad_typeid(void)
{
	void *e = __cxa_allocate_exception(sizeof(void *));
	_ZNSt10bad_typeidC1Ev(e);
	__cxa_throw(e, _ZTISt10bad_typeid, _ZNSt10bad_typeidD1Ev);
}

_Noreturn void __cxa_throw_bad_array_new_length(void)
{
	void *e = __cxa_allocate_exception(sizeof(void *));
	_ZNSt20bad_array_new_lengthC1Ev(e);
	__cxa_throw(e, _ZTISt20bad_array_new_length, _ZNSt20bad_array_new_lengthD1Ev);
}

/* The rest of cxa_noexception.o, so that libc++abi's is never linked
 * beside this member (libunwind's exception classes: not used here). */
uint64_t _ZN10__cxxabiv119__getExceptionClassEPK17_Unwind_Exception(const void *e)
{
	(void)e;
	return 0;
}

void _ZN10__cxxabiv119__setExceptionClassEP17_Unwind_Exceptiony(void *e, uint64_t c)
{
	(void)e;
	(void)c;
}

_Bool _ZN10__cxxabiv121__isOurExceptionClassEPK17_Unwind_Exception(const void *e)
{
	(void)e;
	return 0;
}
