#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bash completion of boostctl: the script, sourced into bash, completes
# objects, commands, the commands of a group, keywords, the choices of a
# value and options, all from boostctl's tables.
# timeout: 30
. "$(dirname "$0")/../lib.sh"

script=$BOOST_TOP/ctl/cli/boostctl.bash-completion
# shellcheck source=/dev/null
. "$script" || fail "cannot source $script"
complete -p boostctl | grep -q -- '-F _boostctl' || fail "boostctl has no completion: $(complete -p boostctl)"

# comp WORD...: what <TAB> offers after "boostctl WORD...", the last word
# being the one under the cursor, as one line.
comp() {
	COMP_WORDS=("$BOOSTCTL" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_boostctl boostctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	echo "${COMPREPLY[*]}"
}

# want RESULT WORD...
want() {
	local want=$1 got
	shift
	got=$(comp "$@")
	[ "$got" = "$want" ] || fail "boostctl $* <TAB>: got '$got', expected '$want'"
}

want "net" n
want "storage status" st
want "trust attest net storage metrics apply status version help" ''
want "port" net po
want "attach detach upgrade status stats port uplink sg flows steer dhcp help" net ''
want "list flush help" net flows ''
want "add del list help" net steer ''
want "set del help" net dhcp ''
want "add del list help" net uplink ''
want "add del set list help" net port ''
want "rate in out pps burst shape off" net port set vm1 ''
want "on off" net port set vm1 rate in 1mbit shape ''
want "add" -j net port a
want "uplink mode netns vnic mac ip sg network afxdp" net port add vm1 ''
want "tc xdp" net port add vm1 vnic mac 02:00:00:00:00:01 mode ''
want "prio dir proto cidr ports allow deny" net sg add 1 prio 10 dir in cidr 0.0.0.0/0 ""
want "allow" net sg add 1 prio 10 dir in cidr 0.0.0.0/0 al
want "in out" net sg add 1 prio 10 dir ''
want "bpf exec" trust load --kind ''
want "--json --pretty --help --kind" trust load --
want "--kind" trust load --k
want "512 4096" storage add null --block-size ''
want "iops read-iops write-iops iops-burst bps read-bps write-bps bps-burst" storage set 7 qos ''
want "read-iops read-bps" storage add null qos r
want "show stats set" storage s
want "--json" net stats --j
want "--pretty" net -j stats --p
want "-j --json -p --pretty -h --help -V --version" -
# A FILE or a NAME: nothing from boostctl, so bash offers file names.
want "" apply ''
want "" net port add ''
want "" trust load ''
want "null" storage add ''
# Nothing after help; nothing for a word that is no command.
want "" net help ''
want "" frob ''
exit 0
