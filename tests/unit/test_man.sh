#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The man pages: every docs/*.5 and docs/*.8 renders without a warning, for
# a typesetter and for a terminal; every boost page they name exists; and
# the document in the EXAMPLES of each section 5 page is one that boost
# takes: boostd's own parser for boostd.json(5), boostctl's for
# boost-trust-policy(5), and for the network and storage documents (which
# only a running boostd parses) valid JSON that `boostctl apply` routes to
# the right parser.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
require_tool groff jq awk
[ -x "$BOOST_BUILD/boostd" ] && [ -x "$BOOSTCTL" ] || fail "$BOOST_BUILD/boostd or boostctl is missing; run make"

dir=$(mktemp -d) || fail "cannot create a temporary directory"
on_exit rm -rf "$dir"

pages=("$BOOST_TOP"/docs/*.5 "$BOOST_TOP"/docs/*.8)
[ -f "${pages[0]}" ] || fail "no section 5 page in docs/"

for page in "${pages[@]}"; do
	name=$(basename "$page")
	for dev in ps utf8; do
		w=$(groff -man -ww -z -T"$dev" "$page" 2>&1) || fail "$name: groff -T$dev failed: $w"
		[ -z "$w" ] || fail "$name: groff -T$dev warns: $w"
	done
	# A boost page it names (".BR boost\-network (5)") must be in docs/.
	for ref in $(sed -n 's/^\.BR \(boost[^ ]*\) (\([58]\)).*/\1.\2/p' "$page" |
		sed 's/\\-/-/g' | sort -u); do
		[ -f "$BOOST_TOP/docs/$ref" ] || fail "$name names ${ref%.*}(${ref##*.}), which is not in docs/"
	done
done

# example PAGE: the first JSON document of PAGE's EXAMPLES as a reader sees
# it (rendered for a terminal): from a line that is only "{" to the "}" at
# its indentation. Fails unless there is one, in plain ASCII.
example() {
	local page=$1 out=$dir/$(basename "$1").json
	groff -man -Tutf8 -P-cbou "$page" 2>/dev/null | awk '
		/^[A-Z]/ { section = $0; next }
		{ match($0, /^ */); indent = RLENGTH }
		section == "EXAMPLES" && !found && /^ *\{$/ { found = 1; top = indent }
		found == 1 {
			print substr($0, top + 1)
			if (indent == top && $0 ~ /^ *\}$/) found = 2
		}' >"$out"
	[ -s "$out" ] || fail "$(basename "$page"): no JSON document in its EXAMPLES"
	! LC_ALL=C grep -q '[^ -~]' "$out" ||
		fail "$(basename "$page"): its example has characters that are not ASCII (a roff '-' for '\\-'?): $(LC_ALL=C grep '[^ -~]' "$out")"
	jq -e 'type == "object"' "$out" >/dev/null ||
		fail "$(basename "$page"): its example is not a JSON object: $(cat "$out")"
	echo "$out"
}

# boostd.json(5), through boostd's parser. boostd has no check mode; a
# socket path too long for an address stops it right after it read the
# configuration, before it opens anything. A bad configuration proves
# that order still holds: it must be refused, naming its key.
long=/$(printf 'x%.0s' $(seq 120))
doc=$(example "$BOOST_TOP/docs/boostd.json.5") || exit 1
echo '{"sokcet": "/x"}' >"$dir/bad-boostd.json"
expect_exit 1 "$BOOST_BUILD/boostd" --foreground --config "$dir/bad-boostd.json" --socket "$long"
expect_match "config .*unknown key 'sokcet'" "$err"
"$BOOST_BUILD/boostd" --foreground --config "$doc" --socket "$long" 2>"$dir/err"
rc=$?
[ $rc -eq 2 ] && grep -q '^boostd: socket path /x*: too long$' "$dir/err" ||
	fail "boostd.json.5: boostd refuses its example (exit $rc): $(cat "$dir/err")"

# boost-trust-policy(5), through the parser of `boostctl attest verify`,
# which reads the policy before it looks at the quote: a verdict (on an
# empty quote directory) means the policy was taken; a refused policy is
# an error naming the field.
mkdir "$dir/quote"
nonce=00112233445566778899aabbccddeeff
doc=$(example "$BOOST_TOP/docs/boost-trust-policy.5") || exit 1
jq '.pcr = 16' "$doc" >"$dir/bad-trust.json"
expect_exit 1 "$BOOSTCTL" -j attest verify --policy "$dir/bad-trust.json" --nonce $nonce \
	--ak "$dir/none.pem" "$dir/quote"
expect_match "field 'pcr'" "$(jq -r .error <<<"$out")"
expect_exit 1 "$BOOSTCTL" -j attest verify --policy "$doc" --nonce $nonce --ak "$dir/none.pem" \
	"$dir/quote"
jq -e '.trusted == false and (.reasons[0] | startswith("quote:"))' <<<"$out" >/dev/null ||
	fail "boost-trust-policy.5: its example is refused: $out"

# boost-network(5) and boost-storage(5): `boostctl apply` sends a document
# with "devices" to the storage parser, any other to the network's.
doc=$(example "$BOOST_TOP/docs/boost-network.5") || exit 1
jq -e 'has("devices") | not' "$doc" >/dev/null ||
	fail "boost-network.5: its example has \"devices\", so apply takes it for storage"
doc=$(example "$BOOST_TOP/docs/boost-storage.5") || exit 1
jq -e 'has("devices")' "$doc" >/dev/null ||
	fail "boost-storage.5: its example has no \"devices\", so apply takes it for a network"
exit 0
