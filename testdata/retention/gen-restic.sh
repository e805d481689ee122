#!/usr/bin/env bash
# gen-restic.sh writes the golden files restic_*.json beside it: for each
# case, a policy, the input times, and what restic's "forget" keeps of them
# and why. TestRetentionAgreesWithRestic (retention_test.go) checks that
# RetentionPolicy.Decide agrees; it needs no restic, only these files.
#
# Needs: bash, GNU date, jq, and restic 0.18.1, installed outside the repo:
#
#	GOBIN=/tmp/resticbin go install github.com/restic/restic/cmd/restic@v0.18.1
#	RESTIC=/tmp/resticbin/restic bash testdata/retention/gen-restic.sh [NAME...]
#
# With NAMEs (such as "within"), only those cases are written again.
# It makes a throwaway repository per case in a temporary folder (removed at
# the end), backs up one tiny file once per time with "restic backup --time",
# and runs "restic forget --dry-run --json". It takes a few minutes (restic
# derives its key on every run). CI does not run it.
#
# restic's --time is wall-clock time in the local zone, and restic counts
# periods in the zone a snapshot was recorded in. So each backup runs with TZ
# set to the fixed zone (Etc/GMT-1 is UTC+1) of the case zone's offset at that
# instant, and every snapshot records its time with the case zone's offset:
# its wall clock is the case zone's, as Decide's Location counts it.
#
# Golden format (ours): {"name", "restic" (version), "policy" (Last ... Yearly,
# -1 for unlimited; Within as a Go duration, whole hours only; Location),
# "times" (RFC 3339, oldest first, as restic recorded them), "keep" ([{time,
# reasons}], restic's reasons as it wrote them, such as "oldest daily
# snapshot")}. No case has two equal times: restic orders equal times by
# snapshot ID, which is random.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
restic=${RESTIC:-restic}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RESTIC_PASSWORD=throwaway # the repositories live only in $work
echo golden >"$work/file"
only=("$@")
version=$("$restic" version | cut -d' ' -f1-2)

# series START STEP COUNT prints COUNT Unix times from START (a date(1)
# string) on, STEP seconds apart.
series() {
	local start step=$2 count=$3 i
	start=$(date -u -d "$1" +%s)
	for ((i = 0; i < count; i++)); do echo $((start + i * step)); done
}

# backup ZONE EPOCH records one snapshot at EPOCH with ZONE's offset.
backup() {
	local zone=$1 epoch=$2 off fixed
	off=$(TZ=$zone date -d "@$epoch" +%z)
	if [ "${off:3:2}" != 00 ]; then
		echo "offset $off is not whole hours" >&2
		return 1
	fi
	case $off in
	+0000) fixed=Etc/UTC ;;
	+*) fixed=Etc/GMT-$((10#${off:1:2})) ;; # Etc/GMT signs are inverted
	-*) fixed=Etc/GMT+$((10#${off:1:2})) ;;
	esac
	TZ=$fixed "$restic" backup -q --host golden \
		--time "$(TZ=$zone date -d "@$epoch" '+%Y-%m-%d %H:%M:%S')" "$work/file" >/dev/null
}

# gen NAME ZONE POLICY EPOCH... writes restic_NAME.json. POLICY is the
# golden's policy object without Location, such as '{"Daily": 7}'.
gen() {
	local name=$1 zone=$2 policy=$3 e n=0
	shift 3
	if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $name "* ]]; then return 0; fi
	echo "-- $name ($# times)" >&2
	export RESTIC_REPOSITORY=$work/repo-$name
	"$restic" init -q >/dev/null

	# Backups take a shared lock, so a few run at once. While they do, restic
	# says that it could not load the locks of the others that have gone;
	# that is noise, kept out of sight unless a snapshot is missing.
	: >"$work/backup.log"
	for e in "$@"; do
		backup "$zone" "$e" 2>>"$work/backup.log" &
		if ((++n % 8 == 0)); then wait; fi
	done
	wait

	local times
	# As Go writes RFC 3339, and so restic: UTC as Z.
	times=$(for e in "$@"; do TZ=$zone date -d "@$e" +%Y-%m-%dT%H:%M:%S%:z; done | sed 's/+00:00$/Z/' | jq -R . | jq -s .)
	"$restic" snapshots --json >"$work/snapshots.json"
	if ! jq -e --argjson want "$times" '[.[].time] | sort == ($want | sort)' "$work/snapshots.json" >/dev/null; then
		echo "$name: restic did not record the times asked for; its messages:" >&2
		cat "$work/backup.log" >&2
		return 1
	fi

	local flags=()
	mapfile -t flags < <(jq -r '
		to_entries[] |
		if .key == "Within" then "--keep-within", .value
		else "--keep-\(.key | ascii_downcase)", (if .value == -1 then "unlimited" else .value end)
		end' <<<"$policy")
	TZ=UTC "$restic" forget --dry-run --json --group-by '' "${flags[@]}" >"$work/forget.json"

	jq --arg name "$name" --arg restic "$version" --arg zone "$zone" \
		--argjson policy "$policy" --argjson times "$times" '{
			name: $name,
			restic: $restic,
			policy: ($policy + {Location: $zone}),
			times: $times,
			keep: [.[0].reasons[] | {time: .snapshot.time, reasons: .matches}]
		}' "$work/forget.json" >"$here/restic_$name.json"
}

# Counts left at the oldest time: Daily 7 and Weekly 4 over three days of
# three backups each; the oldest is kept although its day is had.
gen oldest UTC '{"Daily": 7, "Weekly": 4}' \
	$(series "2024-05-01 08:00" 21600 3) $(series "2024-05-02 08:00" 21600 3) $(series "2024-05-03 08:00" 21600 3)

# Every 20 minutes across the end of summer time in Berlin (25 October
# 2020: 02:00-03:00 happens twice): one hourly bucket for both.
gen berlin_october Europe/Berlin '{"Hourly": 5, "Daily": -1}' \
	$(series "2020-10-24 22:50 UTC" 1200 18)

# Every 20 minutes across the start of summer time in Berlin (28 March
# 2021: 02:00-03:00 does not happen).
gen berlin_march Europe/Berlin '{"Last": 2, "Hourly": 4, "Daily": 2}' \
	$(series "2021-03-27 23:10 UTC" 1200 15)

# Days by Berlin's calendar: 22:30 and 23:30 UTC fall on different Berlin
# days in winter (23:30 and 00:30 the next day).
gen berlin_days Europe/Berlin '{"Daily": 3}' \
	$(series "2024-01-10 22:30 UTC" 3600 2) $(series "2024-01-11 22:30 UTC" 3600 2) \
	$(series "2024-01-12 22:30 UTC" 3600 2) $(series "2024-01-13 22:30 UTC" 3600 2)

# ISO week 53 of 2020 (28 December 2020 to 3 January 2021) and of 2026
# (28 December 2026 to 3 January 2027), daily, across the year's end.
gen week53_2020 UTC '{"Weekly": 3, "Monthly": 2, "Yearly": 2}' \
	$(series "2020-12-20 12:00" 86400 22)
gen week53_2026 UTC '{"Daily": 2, "Weekly": 4, "Yearly": -1}' \
	$(series "2026-12-20 12:00" 86400 22)

# Within is strictly after newest - Within: the time exactly 36 hours
# before the newest goes, the one a second later stays; Last 1 beside it.
newest=$(date -u -d "2024-06-10 12:00" +%s)
gen within UTC '{"Last": 1, "Within": "36h"}' \
	$((newest - 200000)) $((newest - 129600)) $((newest - 129599)) $((newest - 3600)) "$newest"

# Unlimited rules over sparse times, several years.
gen unlimited UTC '{"Hourly": -1, "Monthly": -1, "Yearly": 1}' \
	$(series "2019-11-30 23:30" 4000000 10) $(series "2022-05-01 10:15" 1800 4)

# One time kept by every rule, and more rules than times.
gen many_reasons Europe/Berlin '{"Last": 3, "Hourly": 2, "Daily": 2, "Weekly": 2, "Monthly": 2, "Yearly": 2, "Within": "2h"}' \
	$(series "2023-12-31 21:00 UTC" 2700 6)

# A year of daily backups at 21:30 UTC, the typical policy.
gen year_daily UTC '{"Daily": 7, "Weekly": 4, "Monthly": 12}' \
	$(series "2023-02-15 21:30" 86400 365)
