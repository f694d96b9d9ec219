/* libocclum: <sys/queue.h>, the BSD intrusive list macros that glibc ships
 * and wasi-libc (musl) does not: singly-linked lists (SLIST), lists (LIST),
 * singly-linked tail queues (STAILQ, and SIMPLEQ, its older name), tail
 * queues (TAILQ). The macro names, arguments and structures are those of
 * 4.4BSD and glibc; the _FOREACH_SAFE and _CONCAT forms are FreeBSD's.
 * Header only: no library code. */
#ifndef _SYS_QUEUE_H
#define _SYS_QUEUE_H

/* Singly-linked list: a head pointer; insert at the head or after an
 * element; removal of an arbitrary element walks the list. */
#define SLIST_HEAD(name, type)                                              \
	struct name {                                                       \
		struct type *slh_first;                                     \
	}
#define SLIST_HEAD_INITIALIZER(head) { 0 }
#define SLIST_ENTRY(type)                                                   \
	struct {                                                            \
		struct type *sle_next;                                      \
	}
#define SLIST_FIRST(head) ((head)->slh_first)
#define SLIST_EMPTY(head) ((head)->slh_first == 0)
#define SLIST_NEXT(elm, field) ((elm)->field.sle_next)
#define SLIST_INIT(head) ((head)->slh_first = 0)
#define SLIST_INSERT_AFTER(slistelm, elm, field)                            \
	do {                                                                \
		(elm)->field.sle_next = (slistelm)->field.sle_next;         \
		(slistelm)->field.sle_next = (elm);                         \
	} while (0)
#define SLIST_INSERT_HEAD(head, elm, field)                                 \
	do {                                                                \
		(elm)->field.sle_next = (head)->slh_first;                  \
		(head)->slh_first = (elm);                                  \
	} while (0)
#define SLIST_REMOVE_HEAD(head, field)                                      \
	((head)->slh_first = (head)->slh_first->field.sle_next)
#define SLIST_REMOVE_AFTER(elm, field)                                      \
	((elm)->field.sle_next = (elm)->field.sle_next->field.sle_next)
#define SLIST_REMOVE(head, elm, type, field)                                \
	do {                                                                \
		if ((head)->slh_first == (elm)) {                           \
			SLIST_REMOVE_HEAD((head), field);                   \
		} else {                                                    \
			struct type *__slist_cur = (head)->slh_first;       \
			while (__slist_cur->field.sle_next != (elm))        \
				__slist_cur = __slist_cur->field.sle_next;  \
			SLIST_REMOVE_AFTER(__slist_cur, field);             \
		}                                                           \
	} while (0)
#define SLIST_FOREACH(var, head, field)                                     \
	for ((var) = (head)->slh_first; (var); (var) = (var)->field.sle_next)
#define SLIST_FOREACH_SAFE(var, head, field, tvar)                          \
	for ((var) = SLIST_FIRST(head);                                     \
	     (var) && ((tvar) = SLIST_NEXT((var), field), 1); (var) = (tvar))

/* List: doubly linked (each element points at the previous element's
 * next pointer), so any element is removed in constant time. */
#define LIST_HEAD(name, type)                                               \
	struct name {                                                       \
		struct type *lh_first;                                      \
	}
#define LIST_HEAD_INITIALIZER(head) { 0 }
#define LIST_ENTRY(type)                                                    \
	struct {                                                            \
		struct type *le_next;                                       \
		struct type **le_prev;                                      \
	}
#define LIST_FIRST(head) ((head)->lh_first)
#define LIST_EMPTY(head) ((head)->lh_first == 0)
#define LIST_NEXT(elm, field) ((elm)->field.le_next)
#define LIST_INIT(head) ((head)->lh_first = 0)
#define LIST_INSERT_AFTER(listelm, elm, field)                              \
	do {                                                                \
		if (((elm)->field.le_next = (listelm)->field.le_next) != 0) \
			(listelm)->field.le_next->field.le_prev =           \
			    &(elm)->field.le_next;                          \
		(listelm)->field.le_next = (elm);                           \
		(elm)->field.le_prev = &(listelm)->field.le_next;           \
	} while (0)
#define LIST_INSERT_BEFORE(listelm, elm, field)                             \
	do {                                                                \
		(elm)->field.le_prev = (listelm)->field.le_prev;            \
		(elm)->field.le_next = (listelm);                           \
		*(listelm)->field.le_prev = (elm);                          \
		(listelm)->field.le_prev = &(elm)->field.le_next;           \
	} while (0)
#define LIST_INSERT_HEAD(head, elm, field)                                  \
	do {                                                                \
		if (((elm)->field.le_next = (head)->lh_first) != 0)         \
			(head)->lh_first->field.le_prev =                   \
			    &(elm)->field.le_next;                          \
		(head)->lh_first = (elm);                                   \
		(elm)->field.le_prev = &(head)->lh_first;                   \
	} while (0)
#define LIST_REMOVE(elm, field)                                             \
	do {                                                                \
		if ((elm)->field.le_next != 0)                              \
			(elm)->field.le_next->field.le_prev =               \
			    (elm)->field.le_prev;                           \
		*(elm)->field.le_prev = (elm)->field.le_next;               \
	} while (0)
#define LIST_FOREACH(var, head, field)                                      \
	for ((var) = (head)->lh_first; (var); (var) = (var)->field.le_next)
#define LIST_FOREACH_SAFE(var, head, field, tvar)                           \
	for ((var) = LIST_FIRST(head);                                      \
	     (var) && ((tvar) = LIST_NEXT((var), field), 1); (var) = (tvar))

/* Singly-linked tail queue: a head and a pointer to the last next
 * pointer, so elements are appended in constant time. */
#define STAILQ_HEAD(name, type)                                             \
	struct name {                                                       \
		struct type *stqh_first;                                    \
		struct type **stqh_last;                                    \
	}
#define STAILQ_HEAD_INITIALIZER(head) { 0, &(head).stqh_first }
#define STAILQ_ENTRY(type)                                                  \
	struct {                                                            \
		struct type *stqe_next;                                     \
	}
#define STAILQ_FIRST(head) ((head)->stqh_first)
#define STAILQ_EMPTY(head) ((head)->stqh_first == 0)
#define STAILQ_NEXT(elm, field) ((elm)->field.stqe_next)
#define STAILQ_INIT(head)                                                   \
	do {                                                                \
		(head)->stqh_first = 0;                                     \
		(head)->stqh_last = &(head)->stqh_first;                    \
	} while (0)
#define STAILQ_INSERT_HEAD(head, elm, field)                                \
	do {                                                                \
		if (((elm)->field.stqe_next = (head)->stqh_first) == 0)     \
			(head)->stqh_last = &(elm)->field.stqe_next;        \
		(head)->stqh_first = (elm);                                 \
	} while (0)
#define STAILQ_INSERT_TAIL(head, elm, field)                                \
	do {                                                                \
		(elm)->field.stqe_next = 0;                                 \
		*(head)->stqh_last = (elm);                                 \
		(head)->stqh_last = &(elm)->field.stqe_next;                \
	} while (0)
#define STAILQ_INSERT_AFTER(head, listelm, elm, field)                      \
	do {                                                                \
		if (((elm)->field.stqe_next = (listelm)->field.stqe_next) == 0) \
			(head)->stqh_last = &(elm)->field.stqe_next;        \
		(listelm)->field.stqe_next = (elm);                         \
	} while (0)
#define STAILQ_REMOVE_HEAD(head, field)                                     \
	do {                                                                \
		if (((head)->stqh_first =                                   \
		         (head)->stqh_first->field.stqe_next) == 0)         \
			(head)->stqh_last = &(head)->stqh_first;            \
	} while (0)
#define STAILQ_REMOVE_AFTER(head, elm, field)                               \
	do {                                                                \
		if (((elm)->field.stqe_next =                               \
		         (elm)->field.stqe_next->field.stqe_next) == 0)     \
			(head)->stqh_last = &(elm)->field.stqe_next;        \
	} while (0)
#define STAILQ_REMOVE(head, elm, type, field)                               \
	do {                                                                \
		if ((head)->stqh_first == (elm)) {                          \
			STAILQ_REMOVE_HEAD((head), field);                  \
		} else {                                                    \
			struct type *__stailq_cur = (head)->stqh_first;     \
			while (__stailq_cur->field.stqe_next != (elm))      \
				__stailq_cur = __stailq_cur->field.stqe_next; \
			STAILQ_REMOVE_AFTER((head), __stailq_cur, field);   \
		}                                                           \
	} while (0)
#define STAILQ_CONCAT(head1, head2)                                         \
	do {                                                                \
		if (!STAILQ_EMPTY((head2))) {                               \
			*(head1)->stqh_last = (head2)->stqh_first;          \
			(head1)->stqh_last = (head2)->stqh_last;            \
			STAILQ_INIT((head2));                               \
		}                                                           \
	} while (0)
#define STAILQ_FOREACH(var, head, field)                                    \
	for ((var) = (head)->stqh_first; (var); (var) = (var)->field.stqe_next)
#define STAILQ_FOREACH_SAFE(var, head, field, tvar)                         \
	for ((var) = STAILQ_FIRST(head);                                    \
	     (var) && ((tvar) = STAILQ_NEXT((var), field), 1); (var) = (tvar))

/* Simple queue: the same structure under its older name. */
#define SIMPLEQ_HEAD(name, type)                                            \
	struct name {                                                       \
		struct type *sqh_first;                                     \
		struct type **sqh_last;                                     \
	}
#define SIMPLEQ_HEAD_INITIALIZER(head) { 0, &(head).sqh_first }
#define SIMPLEQ_ENTRY(type)                                                 \
	struct {                                                            \
		struct type *sqe_next;                                      \
	}
#define SIMPLEQ_FIRST(head) ((head)->sqh_first)
#define SIMPLEQ_EMPTY(head) ((head)->sqh_first == 0)
#define SIMPLEQ_NEXT(elm, field) ((elm)->field.sqe_next)
#define SIMPLEQ_INIT(head)                                                  \
	do {                                                                \
		(head)->sqh_first = 0;                                      \
		(head)->sqh_last = &(head)->sqh_first;                      \
	} while (0)
#define SIMPLEQ_INSERT_HEAD(head, elm, field)                               \
	do {                                                                \
		if (((elm)->field.sqe_next = (head)->sqh_first) == 0)       \
			(head)->sqh_last = &(elm)->field.sqe_next;          \
		(head)->sqh_first = (elm);                                  \
	} while (0)
#define SIMPLEQ_INSERT_TAIL(head, elm, field)                               \
	do {                                                                \
		(elm)->field.sqe_next = 0;                                  \
		*(head)->sqh_last = (elm);                                  \
		(head)->sqh_last = &(elm)->field.sqe_next;                  \
	} while (0)
#define SIMPLEQ_INSERT_AFTER(head, listelm, elm, field)                     \
	do {                                                                \
		if (((elm)->field.sqe_next = (listelm)->field.sqe_next) == 0) \
			(head)->sqh_last = &(elm)->field.sqe_next;          \
		(listelm)->field.sqe_next = (elm);                          \
	} while (0)
#define SIMPLEQ_REMOVE_HEAD(head, field)                                    \
	do {                                                                \
		if (((head)->sqh_first = (head)->sqh_first->field.sqe_next) == 0) \
			(head)->sqh_last = &(head)->sqh_first;              \
	} while (0)
#define SIMPLEQ_REMOVE(head, elm, type, field)                              \
	do {                                                                \
		if ((head)->sqh_first == (elm)) {                           \
			SIMPLEQ_REMOVE_HEAD((head), field);                 \
		} else {                                                    \
			struct type *__simpleq_cur = (head)->sqh_first;     \
			while (__simpleq_cur->field.sqe_next != (elm))      \
				__simpleq_cur = __simpleq_cur->field.sqe_next; \
			if ((__simpleq_cur->field.sqe_next =                \
			         __simpleq_cur->field.sqe_next->field.sqe_next) == 0) \
				(head)->sqh_last = &__simpleq_cur->field.sqe_next; \
		}                                                           \
	} while (0)
#define SIMPLEQ_FOREACH(var, head, field)                                   \
	for ((var) = (head)->sqh_first; (var); (var) = (var)->field.sqe_next)

/* Tail queue: doubly linked with a pointer to the last element's next
 * pointer: appends, removals and backward walks in constant time. */
#define TAILQ_HEAD(name, type)                                              \
	struct name {                                                       \
		struct type *tqh_first;                                     \
		struct type **tqh_last;                                     \
	}
#define TAILQ_HEAD_INITIALIZER(head) { 0, &(head).tqh_first }
#define TAILQ_ENTRY(type)                                                   \
	struct {                                                            \
		struct type *tqe_next;                                      \
		struct type **tqe_prev;                                     \
	}
#define TAILQ_FIRST(head) ((head)->tqh_first)
#define TAILQ_EMPTY(head) ((head)->tqh_first == 0)
#define TAILQ_NEXT(elm, field) ((elm)->field.tqe_next)
/* The head and each entry have the same layout as the first two words of
 * an anonymous TAILQ_HEAD, as in BSD: the previous element is reached
 * through its next pointer's address. */
#define TAILQ_LAST(head, headname)                                          \
	(*(((struct headname *)((head)->tqh_last))->tqh_last))
#define TAILQ_PREV(elm, headname, field)                                    \
	(*(((struct headname *)((elm)->field.tqe_prev))->tqh_last))
#define TAILQ_INIT(head)                                                    \
	do {                                                                \
		(head)->tqh_first = 0;                                      \
		(head)->tqh_last = &(head)->tqh_first;                      \
	} while (0)
#define TAILQ_INSERT_HEAD(head, elm, field)                                 \
	do {                                                                \
		if (((elm)->field.tqe_next = (head)->tqh_first) != 0)       \
			(head)->tqh_first->field.tqe_prev =                 \
			    &(elm)->field.tqe_next;                         \
		else                                                        \
			(head)->tqh_last = &(elm)->field.tqe_next;          \
		(head)->tqh_first = (elm);                                  \
		(elm)->field.tqe_prev = &(head)->tqh_first;                 \
	} while (0)
#define TAILQ_INSERT_TAIL(head, elm, field)                                 \
	do {                                                                \
		(elm)->field.tqe_next = 0;                                  \
		(elm)->field.tqe_prev = (head)->tqh_last;                   \
		*(head)->tqh_last = (elm);                                  \
		(head)->tqh_last = &(elm)->field.tqe_next;                  \
	} while (0)
#define TAILQ_INSERT_AFTER(head, listelm, elm, field)                       \
	do {                                                                \
		if (((elm)->field.tqe_next = (listelm)->field.tqe_next) != 0) \
			(elm)->field.tqe_next->field.tqe_prev =             \
			    &(elm)->field.tqe_next;                         \
		else                                                        \
			(head)->tqh_last = &(elm)->field.tqe_next;          \
		(listelm)->field.tqe_next = (elm);                          \
		(elm)->field.tqe_prev = &(listelm)->field.tqe_next;         \
	} while (0)
#define TAILQ_INSERT_BEFORE(listelm, elm, field)                            \
	do {                                                                \
		(elm)->field.tqe_prev = (listelm)->field.tqe_prev;          \
		(elm)->field.tqe_next = (listelm);                          \
		*(listelm)->field.tqe_prev = (elm);                         \
		(listelm)->field.tqe_prev = &(elm)->field.tqe_next;         \
	} while (0)
#define TAILQ_REMOVE(head, elm, field)                                      \
	do {                                                                \
		if ((elm)->field.tqe_next != 0)                             \
			(elm)->field.tqe_next->field.tqe_prev =             \
			    (elm)->field.tqe_prev;                          \
		else                                                        \
			(head)->tqh_last = (elm)->field.tqe_prev;           \
		*(elm)->field.tqe_prev = (elm)->field.tqe_next;             \
	} while (0)
#define TAILQ_CONCAT(head1, head2, field)                                   \
	do {                                                                \
		if (!TAILQ_EMPTY(head2)) {                                  \
			*(head1)->tqh_last = (head2)->tqh_first;            \
			(head2)->tqh_first->field.tqe_prev = (head1)->tqh_last; \
			(head1)->tqh_last = (head2)->tqh_last;              \
			TAILQ_INIT((head2));                                \
		}                                                           \
	} while (0)
#define TAILQ_FOREACH(var, head, field)                                     \
	for ((var) = (head)->tqh_first; (var); (var) = (var)->field.tqe_next)
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)                          \
	for ((var) = TAILQ_FIRST(head);                                     \
	     (var) && ((tvar) = TAILQ_NEXT((var), field), 1); (var) = (tvar))
#define TAILQ_FOREACH_REVERSE(var, head, headname, field)                   \
	for ((var) = TAILQ_LAST((head), headname); (var);                   \
	     (var) = TAILQ_PREV((var), headname, field))

#endif
