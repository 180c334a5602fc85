#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The layering of ctl/ (docs/architecture.md), checked on the include graph
# as the kernel checks its own: each part includes only the parts below it;
# the objects (net, storage) see the daemon only through daemon/object.h and
# never each other; boostctl links no part of the daemon.
# timeout: 30
. "$(dirname "$0")/../lib.sh"
require_tool nm

cd "$BOOST_TOP"
bad=()

# may_include PART ALLOWED...: every quoted include of ctl/PART/* that names
# a folder names one of ALLOWED (a part, or a part/header); a bare name is
# the part's own header and must exist in its folder.
may_include() {
	local part=$1 f inc ok a
	shift
	for f in ctl/"$part"/*.[ch]; do
		while read -r inc; do
			if [[ $inc != */* ]]; then
				[ -e "ctl/$part/$inc" ] || [ -e "bpf/$inc" ] || [ -e "ublk-target/$inc" ] ||
					bad+=("$f includes \"$inc\", which is not in ctl/$part")
				continue
			fi
			ok=
			for a in "$@"; do
				[ "$inc" = "$a" ] || [ "${inc%%/*}" = "$a" ] && ok=1
			done
			[ -n "$ok" ] || bad+=("$f includes \"$inc\": ctl/$part may include only: $*")
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	done
}

may_include common
may_include trust common
may_include daemon common trust
may_include net common daemon/object.h
may_include storage common daemon/object.h
# boostctl uses the trust chain's offline half; test_link.sh checks that it
# links no TPM device code.
may_include cli common trust

# The rule above must catch a crossing: a fixture with one is refused.
fixture=$(mktemp -d)
on_exit rm -rf "$fixture"
mkdir -p "$fixture/ctl/net"
printf '#include "storage/storage_conf.h"\n' >"$fixture/ctl/net/x.c"
saved=("${bad[@]}")
bad=()
(cd "$fixture" && may_include net common daemon/object.h && [ ${#bad[@]} -eq 1 ]) ||
	fail "the include check let ctl/net include storage/storage_conf.h"
bad=("${saved[@]}")

# boostctl links none of the daemon's code: no loop, no object, no gate.
for sym in boostd_loop__watch boostd_loader__open_bpf net_conf__parse storage_conf__parse \
	trust_gate__verify; do
	nm "$BOOST_BUILD/boostctl" | grep -qw "$sym" && bad+=("boostctl links $sym")
done
nm "$BOOST_BUILD/boostd" | grep -qw cli__dispatch && bad+=("boostd links cli__dispatch")

[ ${#bad[@]} -eq 0 ] || fail "$(printf '%s\n' "${bad[@]}")"
exit 0
