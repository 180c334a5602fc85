// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>

#include "dup.h"

struct entry {
	uint64_t key;
	size_t index;
};

static int by_key_then_index(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

bool dup__find(const uint64_t *keys, size_t n, size_t *ret_first, size_t *ret_second)
{
	struct entry *e;
	size_t first = 0, second = SIZE_MAX;

	errno = 0;
	if (n < 2)
		return false;
	e = malloc(n * sizeof(*e));
	if (!e) {
		errno = ENOMEM;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		e[i] = (struct entry){ keys[i], i };
	qsort(e, n, sizeof(*e), by_key_then_index);
	/* In a run of equal keys, the first two are the earliest pair of that key. */
	for (size_t i = 1; i < n; i++) {
		if (e[i].key == e[i - 1].key && (i < 2 || e[i - 2].key != e[i].key) &&
		    e[i].index < second) {
			first = e[i - 1].index;
			second = e[i].index;
		}
	}
	free(e);
	if (second == SIZE_MAX)
		return false;
	*ret_first = first;
	*ret_second = second;
	return true;
}
