# SPDX-License-Identifier: GPL-2.0-only
#
# A fresh software TPM for a test, sourced after tests/lib.sh:
#
#   swtpm_start            start swtpm (TPM 2.0, already started up) in a
#                          temporary directory, wait until it answers, stop
#                          it and remove the directory at exit. Exports
#                          BOOST_TCTI and TPM2TOOLS_TCTI (the same TCTI
#                          string) and SWTPM_DIR.
#   swtpm_restart          stop it and start it again on the same state:
#                          a reboot (PCRs reset, keys and NV kept)
#
# swtpm listens on a Unix socket in its directory, not on a TCP port: no
# free port to hunt for, and no clash with another test or another user's
# swtpm. The TCTI is "swtpm:path=DIR/sock" (tpm2-tss >= 3.2; the control
# channel is DIR/sock.ctrl). Skips if swtpm or tpm2-tools are missing.

_swtpm_pid=

_swtpm_launch() {
	local i
	rm -f "$SWTPM_DIR/sock" "$SWTPM_DIR/sock.ctrl"
	# A child of the test, not --daemon: a daemon takes over a second to
	# stop on SIGTERM, a child stops at once.
	swtpm socket --tpm2 \
		--server type=unixio,path="$SWTPM_DIR/sock" \
		--ctrl type=unixio,path="$SWTPM_DIR/sock.ctrl" \
		--tpmstate dir="$SWTPM_DIR" \
		--flags not-need-init,startup-clear \
		</dev/null >>"$SWTPM_DIR/log" 2>&1 &
	_swtpm_pid=$!
	for ((i = 0; i < 100; i++)); do
		tpm2_getcap properties-fixed >/dev/null 2>&1 && return 0
		kill -0 "$_swtpm_pid" 2>/dev/null ||
			fail "swtpm in $SWTPM_DIR exited: $(tail -n 3 "$SWTPM_DIR/log")"
		sleep 0.05
	done
	fail "swtpm in $SWTPM_DIR does not answer after 5 s: $(tail -n 3 "$SWTPM_DIR/log")"
}

_swtpm_stop() {
	[ -n "$_swtpm_pid" ] || return 0
	kill "$_swtpm_pid" 2>/dev/null
	wait "$_swtpm_pid" 2>/dev/null
	_swtpm_pid=
}

swtpm_start() {
	require_tool swtpm tpm2_getcap
	# Short: a socket path must fit in sun_path (108 bytes).
	SWTPM_DIR=$(mktemp -d /tmp/boost-swtpm.XXXXXX) || fail "swtpm: cannot make a directory"
	export SWTPM_DIR
	on_exit rm -rf "$SWTPM_DIR"
	on_exit _swtpm_stop
	export BOOST_TCTI="swtpm:path=$SWTPM_DIR/sock"
	export TPM2TOOLS_TCTI=$BOOST_TCTI
	_swtpm_launch
}

swtpm_restart() {
	_swtpm_stop
	_swtpm_launch
}
