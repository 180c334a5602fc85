#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The BPF objects are reproducible: a verifier holds their digests, so two
# builds of the same sources in two directories of different names (and
# output directories named differently) give byte-identical .bpf.o files,
# with neither directory's path inside. The bench's objects too.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_tool clang llvm-strip make sha256sum

dir=$(mktemp -d)
on_exit rm -rf "$dir"

# The sources as they are now (committed or not), without build outputs.
copy() {
	mkdir -p "$1"
	tar -C "$BOOST_TOP" --exclude=./build --exclude=./.cache --exclude=./.git -cf - . |
		tar -C "$1" -xf - || fail "cannot copy the tree to $1"
}
copy "$dir/a"
copy "$dir/a-second-tree-with-a-longer-name"
b=$dir/a-second-tree-with-a-longer-name

nice make -s -C "$dir/a" O=build bpf >"$dir/a.log" 2>&1 || fail "build a: $(cat "$dir/a.log")"
nice make -s -C "$b" O="$b/out/elsewhere" bpf >"$dir/b.log" 2>&1 || fail "build b: $(cat "$dir/b.log")"

sums() { # DIR: sha256 and name of each object, by name
	(cd "$1" && find . -name '*.bpf.o' -print0 | sort -z | xargs -0 sha256sum)
}
(cd "$dir/a/build" && sums .) >"$dir/a.sums"
(cd "$b/out/elsewhere" && sums .) >"$dir/b.sums"
n=$(grep -c . "$dir/a.sums")
[ "$n" -ge 2 ] || fail "too few objects built: $(cat "$dir/a.sums")"
echo "build a:"; cat "$dir/a.sums"
echo "build b:"; cat "$dir/b.sums"
diff "$dir/a.sums" "$dir/b.sums" || fail "the two builds differ"

# Neither tree's path, nor any absolute path but the system headers'.
for o in $(find "$dir/a/build" "$b/out" -name '*.bpf.o'); do
	! grep -q -a -e "$dir" "$o" || fail "$o holds its build directory's path"
done
echo "$n objects identical"
exit 0
