#!/usr/bin/env bash
# Prints a deb822 stanza of `deb-src` entries for the Debian archive the system's apt already uses,
# for one suite (default: bookworm), so `apt-get source` fetches from the same mirror, with the same
# keys, as `apt-get install` does. Exit 1 when the system lists no Debian archive.
#
# Read, as apt itself does: deb822 files (/etc/apt/sources.list.d/*.sources, which on bookworm list
# only `Types: deb`) and one-line files (/etc/apt/sources.list, /etc/apt/sources.list.d/*.list).
# An entry counts as the Debian archive when it carries the system's release suite itself (not
# -updates or -security) and the component main; its URIs and Signed-By are kept.
#
# Usage: apt-deb-src.sh [SUITE]     APT_DIR overrides /etc/apt (tests).
set -euo pipefail
suite="${1:-bookworm}"
apt_dir="${APT_DIR:-/etc/apt}"
codename=""
if [[ -r /etc/os-release ]]; then codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}"); fi
[[ -n "$codename" ]] || codename="$suite"

shopt -s nullglob
found=0
emit() { # uri signed_by
  printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\n' "$1" "$suite"
  [[ -n "$2" ]] && printf 'Signed-By: %s\n' "$2"
  printf '\n'
  found=1
}

# deb822: stanzas separated by blank lines; comment lines start with #.
for file in "$apt_dir"/sources.list.d/*.sources; do
  while IFS=$'\x1f' read -r types uris suites components signed enabled; do
    [[ "$enabled" == "no" ]] && continue
    [[ " $types " == *" deb "* ]] || continue
    [[ " $suites " == *" $codename "* ]] || continue
    [[ " $components " == *" main "* ]] || continue
    for uri in $uris; do emit "$uri" "$signed"; done
  done < <(awk '
    function flush() { if (types != "") printf "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\n", types, uris, suites, comps, signed, enabled; types = uris = suites = comps = signed = enabled = "" }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    {
      key = tolower($1); sub(/:$/, "", key); value = $0; sub(/^[^:]*:[ \t]*/, "", value)
      if (key == "types") types = value; else if (key == "uris") uris = value; else if (key == "suites") suites = value
      else if (key == "components") comps = value; else if (key == "signed-by") signed = value; else if (key == "enabled") enabled = tolower(value)
    }
    END { flush() }' "$file")
done

# One-line format: deb [options] uri suite component…
for file in "$apt_dir"/sources.list "$apt_dir"/sources.list.d/*.list; do
  [[ -r "$file" ]] || continue
  while read -r type rest; do
    [[ "$type" == "deb" ]] || continue
    signed=""
    if [[ "$rest" == \[* ]]; then
      options="${rest%%]*}"; options="${options#[}"; rest="${rest#*]}"
      for option in $options; do [[ "$option" == signed-by=* ]] && signed="${option#signed-by=}"; done
    fi
    read -r uri dist components <<<"$rest"
    [[ "$dist" == "$codename" && " $components " == *" main "* ]] || continue
    emit "$uri" "$signed"
  done < <(sed -e 's/#.*//' "$file")
done

(( found )) || exit 1
