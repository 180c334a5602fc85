# SPDX-License-Identifier: GPL-2.0-only
#
# boostd with its trust chain on a fresh software TPM, for the trust
# group's end-to-end tests. Sourced after tests/lib.sh:
#
#   boostd_setup           swtpm_start, a temporary directory $B (removed at
#                          exit), a trusted signer $B/keys/signer.{key,crt}
#                          made by `boostctl trust keygen`, and a BPF object
#                          $B/art/net.bpf.o copied from the build and signed
#                          by it. Exports BOOST_SOCKET; sets BOOSTD_CONF,
#                          BOOSTD_LOG, POLICY ($B/trust.json), STATE ($B/state)
#   make_signer NAME       a key and certificate $B/keys/NAME.{key,crt}
#   write_policy [OPTION...]  write $POLICY: --signer CRT (repeatable; default
#                          the signer), --golden CRT (repeatable; default the
#                          signers), --digest HEX (repeatable), --pcr N,
#                          --bank NAME, --artifact PATH:KIND (repeatable),
#                          --ak PEM (the enrolled AK), --sets DIR (the
#                          sets of artifacts, instead of --artifact),
#                          --pcr-value HEX (attestation.golden.pcr_value),
#                          --golden-closure PATH (repeatable: a closure
#                          attestation.golden.closures names),
#                          --closures (each exec artifact linked
#                          dynamically, a SANITIZE=1 build's boost-xsk,
#                          gets its closure PATH.libs: made, signed, listed
#                          as an artifact and a golden closure),
#                          --out FILE (instead of $POLICY)
#   boostd_start           start build/boostd --foreground with a config
#                          naming $POLICY and $STATE, wait for its socket;
#                          its pid is $BOOSTD_PID; stopped at exit
#   boostd_stop            SIGTERM; fail unless boostd exits 0 (by itself,
#                          within 10 s), removes its socket and its log
#                          holds no sanitizer report. Every test calls it
#                          before its last checks, so that an ASan/UBSan
#                          build is checked.
#   sign FILE... / sign_with NAME FILE...  `boostctl trust sign`
#   with_svn SRC DST N     DST: a copy of the ELF SRC whose security version
#                          (section .boost.svn) is N, not signed
#   boostd_log             boostd's log since the last boostd_start
#   trust_json             `boostctl -j trust status` into $ts
#   tjq [JQ-OPTION...] FILTER  jq -r over $ts
#   pcr BANK [N]           PCR N (default 11) of BANK, lower-case hex
#   flip_byte FILE OFFSET  xor one byte of FILE with 1
#   hex [FILE]             a file (or stdin) as lower-case hex, one line
#   unhex                  hex on stdin as bytes on stdout
#   size_of FILE           its size in bytes
#
# boostd's stderr (its log) is $BOOSTD_LOG; it is printed into the test's
# log at exit, for a failure's post-mortem.

. "$BOOST_TOP/tests/swtpm.sh"

BOOSTD=$BOOST_BUILD/boostd
_boostd_pid=

boostd_setup() {
	require_root
	require_tool jq openssl tpm2_pcrread
	[ -x "$BOOSTD" ] && [ -x "$BOOSTCTL" ] || fail "$BOOSTD or $BOOSTCTL is missing; run make"
	[ -f "$BOOST_BUILD/bpf/net_xdp.bpf.o" ] || fail "$BOOST_BUILD/bpf/net_xdp.bpf.o is missing"
	swtpm_start
	B=$(mktemp -d /tmp/"$T"-trust.XXXXXX) || fail "cannot create a temporary directory"
	on_exit rm -rf "$B"
	# The test's stderr, for the log dump at exit (on_exit silences its commands).
	exec 9>&2
	on_exit _boostd_dump_log '>&9'
	mkdir "$B/keys" "$B/art" "$B/run"
	export BOOST_SOCKET=$B/run/boostd.sock
	BOOSTD_CONF=$B/boostd.json BOOSTD_LOG=$B/boostd.log
	POLICY=$B/trust.json STATE=$B/state
	printf '{"socket": "%s", "state_dir": "%s", "trust_policy": "%s"}\n' \
		"$BOOST_SOCKET" "$STATE" "$POLICY" >"$BOOSTD_CONF"
	make_signer signer
	cp "$BOOST_BUILD/bpf/net_xdp.bpf.o" "$B/art/net.bpf.o"
	sign "$B/art/net.bpf.o"
	on_exit _boostd_kill
}

with_svn() {
	require_tool llvm-objcopy
	printf "$(printf '\\x%02x\\x00\\x00\\x00' "$3")" >"$B/.svn-$3"
	llvm-objcopy --update-section .boost.svn="$B/.svn-$3" "$1" "$2" ||
		fail "llvm-objcopy could not make $2 at version $3"
}

make_signer() {
	"$BOOSTCTL" trust keygen --key "$B/keys/$1.key" --cert "$B/keys/$1.crt" \
		--cn "boost test $1" >/dev/null || fail "boostctl trust keygen ($1) failed"
}

sign_with() {
	local name=$1
	shift
	"$BOOSTCTL" trust sign --key "$B/keys/$name.key" "$@" >/dev/null ||
		fail "boostctl trust sign --key $name.key $* failed"
}

sign() {
	sign_with signer "$@"
}

# A JSON array of strings from the arguments.
_json_strings() {
	local s first=1
	printf '['
	for s in "$@"; do
		[ $first -eq 1 ] || printf ', '
		first=0
		printf '"%s"' "$s"
	done
	printf ']'
}

write_policy() {
	local signers=() golden=() digests=() arts=() pcr=11 bank=sha256 out=$POLICY a first=1 ak= sets=
	local closures=() auto_closures= p
	local pcr_value= seal_pcrs=
	while [ $# -gt 0 ]; do
		case $1 in
		--signer) signers+=("$2") ;;
		--golden) golden+=("$2") ;;
		--digest) digests+=("$2") ;;
		--artifact) arts+=("$2") ;;
		--pcr) pcr=$2 ;;
		--bank) bank=$2 ;;
		--ak) ak=$2 ;;
		--sets) sets=$2 ;;
		--pcr-value) pcr_value=$2 ;;
		--golden-closure) closures+=("$2") ;;
		--closures) auto_closures=1; shift; continue ;;
		--seal-pcrs) seal_pcrs=$2 ;; # a JSON array

		--out) out=$2 ;;
		*) fail "write_policy: unknown option $1" ;;
		esac
		shift 2
	done
	for a in ${arts[@]+"${arts[@]}"}; do
		p=${a%:*}
		[ "${a##*:}" = exec ] && [ -n "$auto_closures" ] && [ -f "$p" ] || continue
		readelf -l "$p" 2>/dev/null | grep -q INTERP || continue
		[[ " ${arts[*]} " == *" $p.libs:closure "* ]] && continue
		"$BOOST_TOP/scripts/ublk-closure" "$p" >"$p.libs" || fail "no closure for $p"
		sign "$p.libs"
		arts+=("$p.libs:closure")
		closures+=("$p.libs")
	done
	[ ${#signers[@]} -gt 0 ] || signers=("$B/keys/signer.crt")
	[ ${#golden[@]} -gt 0 ] || golden=("${signers[@]}")
	{
		printf '{\n  "signers": %s,\n  "pcr": %s,\n  "artifacts": [' \
			"$(_json_strings "${signers[@]}")" "$pcr"
		for a in ${arts[@]+"${arts[@]}"}; do
			[ $first -eq 1 ] || printf ','
			first=0
			printf '\n    {"path": "%s", "kind": "%s"}' "${a%:*}" "${a##*:}"
		done
		printf '],\n'
		[ -z "$sets" ] || printf '  "sets": "%s",\n' "$sets"
		[ -z "$seal_pcrs" ] || printf '  "seal_pcrs": %s,\n' "$seal_pcrs"
		printf '  "attestation": {\n    "bank": "%s",\n    "nonce_bytes": 32,\n' "$bank"
		[ -z "$ak" ] || printf '    "ak": "%s",\n' "$ak"
		printf '    "golden": {"signers": %s' "$(_json_strings "${golden[@]}")"
		[ ${#digests[@]} -eq 0 ] ||
			printf ', "digests": %s' "$(_json_strings "${digests[@]}")"
		[ -z "$pcr_value" ] || printf ', "pcr_value": "%s"' "$pcr_value"
		[ ${#closures[@]} -eq 0 ] ||
			printf ', "closures": %s' "$(_json_strings "${closures[@]}")"
		printf '}\n  }\n}\n'
	} >"$out"
	jq . "$out" >/dev/null || fail "write_policy wrote invalid JSON into $out"
}

boostd_start() {
	local i
	[ -z "$_boostd_pid" ] || fail "boostd_start: boostd is already running"
	echo "---- boostd_start $(date +%T.%N)" >>"$BOOSTD_LOG"
	"$BOOSTD" --foreground --config "$BOOSTD_CONF" </dev/null >>"$BOOSTD_LOG" \
		2>>"$BOOSTD_LOG" 9>&- &
	_boostd_pid=$!
	BOOSTD_PID=$_boostd_pid
	for ((i = 0; i < 100; i++)); do
		[ -S "$BOOST_SOCKET" ] && "$BOOSTCTL" status >/dev/null 2>&1 && return 0
		kill -0 "$_boostd_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$BOOSTD_LOG" >&2
	fail "boostd did not start (its log is above)"
}

boostd_log() {
	sed -n '/^---- boostd_start /h; /^---- boostd_start /!H; ${x;p}' "$BOOSTD_LOG"
}

_boostd_sanitizer_check() {
	! grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$BOOSTD_LOG" ||
		fail "boostd's log $BOOSTD_LOG has a sanitizer report: $(grep -m1 -A20 'ERROR: \|runtime error' "$BOOSTD_LOG")"
}

# SIGTERM, and SIGKILL if boostd is still there after 10 s (a hung boostd
# must not hang the test). Returns boostd's exit status.
_boostd_term() {
	local i
	kill -TERM "$_boostd_pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$_boostd_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$_boostd_pid" 2>/dev/null && kill -KILL "$_boostd_pid"
	wait "$_boostd_pid"
}

boostd_stop() {
	local rc
	[ -n "$_boostd_pid" ] || fail "boostd_stop: boostd is not running"
	_boostd_term
	rc=$?
	_boostd_pid=
	_boostd_sanitizer_check
	[ "$rc" -eq 0 ] || fail "boostd exited with status $rc on SIGTERM: $(tail -n 20 "$BOOSTD_LOG")"
	[ ! -e "$BOOST_SOCKET" ] || fail "boostd left its socket $BOOST_SOCKET behind"
}

_boostd_kill() {
	[ -n "$_boostd_pid" ] || return 0
	_boostd_term
	_boostd_pid=
}

_boostd_dump_log() {
	[ -s "$BOOSTD_LOG" ] || return 0
	echo "---- boostd log ($BOOSTD_LOG) ----"
	cat "$BOOSTD_LOG"
	echo "---- end of boostd log ----"
}

# The fields the tests compare must be there: a missing one would compare
# equal to itself.
trust_json() {
	ts=$("$BOOSTCTL" -j trust status) || fail "boostctl -j trust status failed"
	jq -e '.up == true and (.measured | type) == "number" and
		(.refused | type) == "number" and (.tpm_commands | type) == "number" and
		(.artifacts | type) == "array" and (.log | type) == "string"' <<<"$ts" >/dev/null ||
		fail "boostctl -j trust status: trust chain down or fields missing: $ts"
}

tjq() {
	jq -r "$@" <<<"$ts"
}

pcr() {
	local bank=$1 n=${2:-11} v
	v=$(tpm2_pcrread "$bank:$n" | sed -n "s/^ *$n *: *0x\([0-9A-Fa-f]*\)$/\1/p")
	[ -n "$v" ] || fail "tpm2_pcrread $bank:$n gave no value"
	tr A-F a-f <<<"$v"
}

flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || fail "flip_byte: $1 has no byte at offset $2"
	printf "$(printf '\\x%02x' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

hex() {
	od -An -v -tx1 "$@" | tr -d ' \n'
}

unhex() {
	local h
	h=$(cat)
	printf "$(sed 's/../\\x&/g' <<<"$h")"
}

size_of() {
	stat -c %s "$1"
}

# Encrypted disks' tests, with tests/trust/fake_ublk.c as boost-ublk:
fake_ublk_keymsg() { # ID: the key message fake_ublk got for device ID, in hex
	wait_until test -s "/tmp/boost-fake-ublk-key-$1" || fail "device $1: no key message"
	cat "/tmp/boost-fake-ublk-key-$1"
}
le() { # HEX: the little-endian number it spells
	local h=$1 out=
	while [ -n "$h" ]; do out=${h:0:2}$out; h=${h:2}; done
	echo $((16#$out))
}
fake_ublk_servers() { # how many boost-ublk add or recover run
	pgrep -fc '^boost-ublk (add|recover)' || true
}
fake_ublk_refused() { # REGEX ADD-ARGS...: `storage add` refused for REGEX; nothing runs or is listed
	local re=$1
	shift
	expect_exit 1 "$BOOSTCTL" storage add "$@"
	expect_match "$re" "$err"
	[ "$(fake_ublk_servers)" = 0 ] || fail "a server runs after a refused add"
	[ "$("$BOOSTCTL" -j storage list | jq length)" = 0 ] || fail "a refused device is listed"
}
