/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Duplicate keys in a document's arrays (ids, priorities), found in
 * O(n log n): a document of thousands of entries must not hold boostd's
 * loop for seconds, as a pairwise check did.
 */
#ifndef BOOST_DUP_H
#define BOOST_DUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Is some key of @keys[0..n) there twice? Then true, with the pair whose
 * second index is the lowest (the entry a reader meets first that repeats
 * an earlier one): *ret_first < *ret_second. false if none, or without
 * memory (errno ENOMEM; the caller says so).
 */
bool dup__find(const uint64_t *keys, size_t n, size_t *ret_first, size_t *ret_second);

#endif
