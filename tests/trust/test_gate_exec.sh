#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Executables run from the verified bytes: the gate's sealed memfd is what
# fexecve starts, so a file swapped after verification changes nothing.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../swtpm.sh"
require_root
swtpm_start
run=$BOOST_BUILD/tests/trust-bin/gate_exec
key=$BOOST_BUILD/keys/dev-signer.key
cert=$BOOST_BUILD/keys/dev-signer.crt

dir=$(mktemp -d)
on_exit rm -rf "$dir"
printf '{"signers": ["%s"], "attestation": {"golden": {"signers": ["%s"]}}}\n' \
	"$cert" "$cert" >"$dir/trust.json"
sign() { "$BOOSTCTL" trust sign --key "$key" "$@" >/dev/null || fail "cannot sign $*"; }

cp /usr/bin/echo "$dir/echo"
cp /usr/bin/readlink "$dir/readlink"
cp /usr/bin/ls "$dir/ls"
sign "$dir/echo" "$dir/readlink" "$dir/ls"

expect_exit 0 "$run" "$dir/trust.json" "$dir/state" "$dir/echo" hello world
[ "$out" = "hello world" ] || fail "echo printed '$out'"

# What runs is the sealed copy, not the path.
expect_exit 0 "$run" "$dir/trust.json" "$dir/state" "$dir/readlink" /proc/self/exe
expect_match '^/memfd:readlink' "$out"

# Only the standard descriptors cross the exec: not one the parent had
# without close-on-exec (fd 9 here), nor the TPM connection's.
expect_exit 0 "$run" "$dir/trust.json" "$dir/state" "$dir/ls" /proc/self/fd 9</dev/null
# ls itself holds fd 3, the directory it lists.
[ "$(echo $out)" = "0 1 2 3" ] || fail "descriptors crossed the exec: $out"

# The file is replaced between verification and exec: the verified bytes run.
export GATE_EXEC_BEFORE="cp /usr/bin/false $dir/echo.new && mv $dir/echo.new $dir/echo"
expect_exit 0 "$run" "$dir/trust.json" "$dir/state" "$dir/echo" still verified
[ "$out" = "still verified" ] || fail "the swapped file ran: '$out'"
unset GATE_EXEC_BEFORE

# Now echo is /usr/bin/false with echo's signature: refused, nothing runs.
expect_exit 125 "$run" "$dir/trust.json" "$dir/state" "$dir/echo" hello
expect_match "signature does not verify" "$err"
[ -z "$out" ] || fail "a refused artifact ran: $out"

# A script cannot run from a close-on-exec memfd: a clear error, not a hang.
printf '#!/bin/sh\necho script\n' >"$dir/script" && chmod +x "$dir/script"
sign "$dir/script"
expect_exit 125 "$run" "$dir/trust.json" "$dir/state" "$dir/script"
expect_match "exec of $dir/script: No such file or directory" "$err"
exit 0
