# shellcheck shell=bash
# Helpers to read the Debian mirror this machine already uses, so scripts never
# hard-code a host (CI machines may point at a snapshot or a local mirror).
#
# Usage (after `source scripts/lib/apt-mirror.sh`):
#   apt_mirror_for_suite bookworm            -> http://deb.debian.org/debian
#   apt_mirror_for_suite bookworm-security   -> http://deb.debian.org/debian-security
# Prints nothing (and returns 1) when no enabled "deb" source lists that suite.

# All enabled apt source files: deb822 (*.sources) and one-line (*.list) format.
_apt_source_files() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && echo "$f"
    done
}

# Print "URI SUITE" pairs for every binary ("deb") source, one per line.
_apt_uri_suite_pairs() {
    local f
    while read -r f; do
        case "$f" in
        *.sources)
            # deb822: stanzas separated by blank lines; fields Types/URIs/Suites/Enabled.
            awk '
                function flush() {
                    if (types ~ /(^| )deb( |$)/ && enabled != "no")
                        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
                    types = ""; enabled = ""; nu = 0; ns = 0
                }
                /^[ \t]*$/ { flush(); next }
                /^#/ { next }
                tolower($1) == "types:"   { types = substr($0, index($0, ":") + 1) }
                tolower($1) == "enabled:" { enabled = tolower($2) }
                tolower($1) == "uris:"    { nu = 0; for (k = 2; k <= NF; k++) u[++nu] = $k }
                tolower($1) == "suites:"  { ns = 0; for (k = 2; k <= NF; k++) s[++ns] = $k }
                END { flush() }
            ' "$f"
            ;;
        *)
            # one-line: deb [options] URI SUITE COMPONENTS...
            awk '$1 == "deb" {
                    k = 2
                    if ($k ~ /^\[/) { while ($k !~ /\]$/) k++; k++ }
                    print $k, $(k + 1)
                }' "$f"
            ;;
        esac
    done < <(_apt_source_files)
}

apt_mirror_for_suite() {
    local suite="$1" uri
    uri=$(_apt_uri_suite_pairs | awk -v s="$suite" '$2 == s { print $1; exit }')
    [ -n "$uri" ] || return 1
    echo "${uri%/}"
}

# The codename of this machine's Debian release (bookworm, trixie, ...).
debian_codename() {
    # shellcheck disable=SC1091
    (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
}
