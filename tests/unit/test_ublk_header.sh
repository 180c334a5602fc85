#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/ublk-header takes <linux/ublk_cmd.h> from the pinned package
# version only, and refuses a package whose header is not the pinned bytes,
# saying why. Runs on a copy of the script, with a cache of its own.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
require_tool dpkg-deb sha256sum

dir=$(mktemp -d)
on_exit rm -rf "$dir"
mkdir -p "$dir/tree/scripts" "$dir/tree/.cache/headers"
cp "$BOOST_TOP/scripts/ublk-header" "$dir/tree/scripts/"
pin() { sed -n "s/^$1=//p" "$BOOST_TOP/scripts/ublk-header"; }
deb=$dir/tree/.cache/headers/$(pin pkg)_$(pin version)_all.deb

# The pinned package, where a build has fetched it: the pinned header.
real=$BOOST_TOP/.cache/headers/${deb##*/}
if [ -e "$real" ]; then
	cp "$real" "$deb"
	expect_exit 0 "$dir/tree/scripts/ublk-header" "$dir/ok/ublk_cmd.h"
	[ "$(sha256sum <"$dir/ok/ublk_cmd.h" | cut -d' ' -f1)" = "$(pin sha256)" ] ||
		fail "the header written is not the pinned one"
else
	echo "no fetched $real: the good path is not checked"
fi

# A package of that name and version with another header is refused.
p=$dir/pkg
mkdir -p "$p/DEBIAN" "$p/usr/src/linux-headers/include/uapi/linux"
printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: test <t@example.org>\nDescription: test\n' \
	"$(pin pkg)" "$(pin version)" >"$p/DEBIAN/control"
echo '#define UBLK_U_CMD_ADD_DEV 0 /* not the kernel'"'"'s */' \
	>"$p/usr/src/linux-headers/include/uapi/linux/ublk_cmd.h"
dpkg-deb -b "$p" "$deb" >/dev/null || fail "cannot build the test package"
expect_exit 1 "$dir/tree/scripts/ublk-header" "$dir/bad/ublk_cmd.h"
expect_match "ublk_cmd.h has SHA-256 [0-9a-f]{64}, not the pinned $(pin sha256)" "$err"
[ ! -e "$dir/bad/ublk_cmd.h" ] || fail "a refused header was written"
exit 0
