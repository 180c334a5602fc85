#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make install into a DESTDIR: the tree, the modes, and the paths inside
# the unit and the policies rewritten to PREFIX and SYSCONFDIR; a second
# install keeps a configuration the administrator changed; make uninstall
# removes the rest and leaves no boost file. The unit passes
# `systemd-analyze verify` where systemd-analyze exists. Then a build with
# Debian's build flags (dpkg-buildflags, hardening on) into its own O=,
# -Werror still on, builds the programs and nothing else.
# timeout: 600
. "$(dirname "$0")/../lib.sh"
require_tool make install sed cmp

dir=$(mktemp -d)
on_exit rm -rf "$dir"
dest=$dir/dest
prefix=/opt/boost-test
sysconf=/etc/boost-test
cd "$BOOST_TOP" || fail "no tree at $BOOST_TOP"
# The programs are already built in $BOOST_BUILD: install builds nothing new.
make_install() {
	expect_exit 0 nice make -s O="$BOOST_BUILD" DESTDIR="$dest" PREFIX="$prefix" \
		SYSCONFDIR="$sysconf" "$@"
}

make_install install
want="
$prefix/lib/boost/bpf/net_tc.bpf.o 644
$prefix/lib/boost/bpf/net_tc.bpf.o.sig 644
$prefix/lib/boost/bpf/net_xdp.bpf.o 644
$prefix/lib/boost/bpf/net_xdp.bpf.o.sig 644
$prefix/lib/systemd/system/boostd.service 644
$prefix/sbin/boost-ublk 755
$prefix/sbin/boost-ublk.sig 644
$prefix/sbin/boost-ublk-rbd 755
$prefix/sbin/boost-ublk-rbd.libs 644
$prefix/sbin/boost-ublk-rbd.libs.sig 644
$prefix/sbin/boost-ublk-rbd.sig 644
$prefix/sbin/boost-xsk 755
$prefix/sbin/boost-xsk.sig 644
$prefix/sbin/boostctl 755
$prefix/sbin/boostd 755
$prefix/share/man/man5/boost-network.5 644
$prefix/share/man/man5/boost-storage.5 644
$prefix/share/man/man5/boost-trust-policy.5 644
$prefix/share/man/man5/boostd.json.5 644
$prefix/share/man/man8/boost-ublk.8 644
$prefix/share/man/man8/boost-xsk.8 644
$prefix/share/man/man8/boostctl.8 644
$prefix/share/man/man8/boostd.8 644
$sysconf/boost/boostd.json 644
$sysconf/boost/network.json 644
$sysconf/boost/storage.json 644
$sysconf/boost/trust.json 644"
got=$(cd "$dest" && find . -type f -printf '/%P %m\n' | sort)
[ "$got" = "$(sort <<<"${want#$'\n'}")" ] || fail "installed tree: $(diff <(echo "$got") <(sort <<<"${want#$'\n'}"))"

# The installed bytes are the built ones (the signatures name them).
cmp -s "$BOOST_BUILD/bpf/net_xdp.bpf.o" "$dest$prefix/lib/boost/bpf/net_xdp.bpf.o" ||
	fail "the installed net_xdp.bpf.o is not the built one"

# Paths inside name PREFIX and SYSCONFDIR, never the defaults.
unit=$dest$prefix/lib/systemd/system/boostd.service
expect_match "ExecStart=$prefix/sbin/boostd --foreground --config $sysconf/boost/boostd.json" \
	"$(cat "$unit")"
expect_match "\"trust_policy\": \"$sysconf/boost/trust.json\"" "$(cat "$dest$sysconf/boost/boostd.json")"
expect_match "\"path\": \"$prefix/lib/boost/bpf/net_xdp.bpf.o\"" "$(cat "$dest$sysconf/boost/trust.json")"
expect_match "\"$sysconf/boost/keys/signer.crt\"" "$(cat "$dest$sysconf/boost/trust.json")"
! grep -rl -e /usr/local -e '/etc/boost/' "$unit" "$dest$sysconf" ||
	fail "a default path left in the installed unit or policies"

# The unit as systemd reads it (its command must exist, hence no DESTDIR).
if command -v systemd-analyze >/dev/null; then
	expect_exit 0 nice make -s O="$BOOST_BUILD" PREFIX="$dir/root/usr" \
		SYSCONFDIR="$dir/root/etc" install
	expect_exit 0 env MANPATH="$dir/root/usr/share/man" systemd-analyze verify \
		"$dir/root/usr/lib/systemd/system/boostd.service"
	expect_exit 0 nice make -s O="$BOOST_BUILD" PREFIX="$dir/root/usr" \
		SYSCONFDIR="$dir/root/etc" uninstall
else
	echo "systemd-analyze is missing: the unit is not verified"
fi

# A configuration the administrator changed is theirs: install keeps it,
# uninstall leaves it; an unchanged one goes.
echo '{"log": "syslog"}' >"$dest$sysconf/boost/boostd.json"
make_install install
expect_match 'KEEP .*boostd.json \(exists\)' "$out"
[ "$(cat "$dest$sysconf/boost/boostd.json")" = '{"log": "syslog"}' ] ||
	fail "install overwrote a changed boostd.json"
make_install uninstall
expect_match 'KEEP .*boostd.json \(changed\)' "$out"
left=$(cd "$dest" && find . -type f -printf '/%P\n')
[ "$left" = "$sysconf/boost/boostd.json" ] || fail "uninstall left: $left"
rm "$dest$sysconf/boost/boostd.json"

# Install, uninstall: no file of boost left, nor its own directories.
make_install install
make_install uninstall
left=$(cd "$dest" && find . -type f)
[ -z "$left" ] || fail "uninstall left files: $left"
for d in "$prefix/lib/boost" "$sysconf/boost"; do
	[ ! -e "$dest$d" ] || fail "uninstall left $d"
done

# Debian's build flags, hardening on: the programs build with -Werror, and
# nothing of the tests. (dpkg-buildflags prints what a package build uses.)
require_tool dpkg-buildflags
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
flags=(CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)" CFLAGS="$(dpkg-buildflags --get CFLAGS)"
	LDFLAGS="$(dpkg-buildflags --get LDFLAGS)")
echo "${flags[@]}"
expect_exit 0 nice make -s O="$dir/deb" "${flags[@]}" programs
for p in boostd boostctl boost-ublk boost-xsk; do
	[ -x "$dir/deb/$p" ] || fail "$p not built with Debian's flags"
done
grep -q -- -D_FORTIFY_SOURCE=2 <<<"${flags[0]}" || fail "dpkg-buildflags has no fortify: ${flags[*]}"
readelf -d "$dir/deb/boostd" | grep -q BIND_NOW || fail "boostd is not linked -z now"
[ ! -e "$dir/deb/tests" ] || fail "programs built tests: $(ls "$dir/deb/tests")"
exit 0
