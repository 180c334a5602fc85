#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boostctl trust closure: the build's closure of boost-ublk-rbd (its shared
# objects and their SHA-256, scripts/ublk-closure) matches this host's
# libraries; a library whose bytes changed is named with both digests, a
# missing one is named, and a malformed closure is refused naming the
# field.
. "$(dirname "$0")/../lib.sh"
libs=$BOOST_BUILD/boost-ublk-rbd.libs
[ -f "$libs" ] || fail "no $libs: run make"
[ -f "$libs.sig" ] || fail "the build did not sign $libs"

expect_exit 0 "$BOOSTCTL" trust closure "$libs"
n=$(jq '.libraries | length' "$libs")
expect_match "^boost-ublk-rbd: $n shared objects" "$out"
jq -e '.libraries[] | select(.path | test("librbd\\.so"))' "$libs" >/dev/null ||
	fail "librbd is not in the closure"

d=$(mktemp -d) || fail "cannot create a temporary directory"
on_exit rm -rf "$d"
head -c 100000 /dev/urandom >"$d/libx.so.1"
sum=$(sha256sum <"$d/libx.so.1" | cut -d' ' -f1)
closure() { # PATH SHA256 [EXTRA-JSON-FIELD]
	printf '{"executable": "x", "libraries": [{"path": "%s", "sha256": "%s"%s}]}\n' \
		"$1" "$2" "${3:-}" >"$d/c.json"
}
closure "$d/libx.so.1" "$sum"
expect_exit 0 "$BOOSTCTL" trust closure "$d/c.json"

# One byte changed: refused, the library and both digests named.
printf 'X' | dd of="$d/libx.so.1" bs=1 seek=5000 conv=notrunc status=none
new=$(sha256sum <"$d/libx.so.1" | cut -d' ' -f1)
expect_exit 1 "$BOOSTCTL" trust closure "$d/c.json"
expect_match "library $d/libx.so.1: its SHA-256 is $new, not the signed closure's $sum" "$err"
# A link to it is read through, as ld.so does.
ln -s libx.so.1 "$d/liby.so"
closure "$d/liby.so" "$new"
expect_exit 0 "$BOOSTCTL" trust closure "$d/c.json"
# Gone.
closure "$d/none.so" "$sum"
expect_exit 1 "$BOOSTCTL" trust closure "$d/c.json"
expect_match "library $d/none.so: cannot read it" "$err"

# Malformed: each names the field.
closure "libx.so.1" "$sum"
expect_exit 1 "$BOOSTCTL" trust closure "$d/c.json"
expect_match 'libraries\[0\].path: expected an absolute path' "$err"
closure "$d/libx.so.1" "abcd"
expect_exit 1 "$BOOSTCTL" trust closure "$d/c.json"
expect_match 'libraries\[0\].sha256: expected 64 hex digits' "$err"
closure "$d/libx.so.1" "$sum" ', "size": 1'
expect_exit 1 "$BOOSTCTL" trust closure "$d/c.json"
expect_match "libraries\[0\]: unknown field 'size'" "$err"
printf '{"executable": "x", "libraries": [{"path": "/a", "sha256": "%s"}, {"path": "/a", "sha256": "%s"}]}' \
	"$sum" "$sum" >"$d/c.json"
expect_exit 1 "$BOOSTCTL" trust closure "$d/c.json"
expect_match 'libraries\[1\].path: /a is listed twice' "$err"
printf '{"executable": "../x", "libraries": []}' >"$d/c.json"
expect_exit 1 "$BOOSTCTL" trust closure "$d/c.json"
expect_match 'executable: expected a file name' "$err"
echo "trust closure: the build's matches; changed, missing and malformed named"
