# Sourced by the provisioning scripts: one line per phase on stderr, the tools' own output
# (apt/dpkg progress, compilers) in a log file, and on failure an error naming that file with its
# last lines. Set KF_LOG to the log file first.
kf_cache="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-failover"
kf_log_started=""

say() { printf '[provision] %s\n' "$*" >&2; }

# phase "what it does" COMMAND [ARG…]: runs COMMAND (or a shell function) with its output in $KF_LOG.
phase() {
  local what=$1
  shift
  say "$what"
  if [[ -z "$kf_log_started" ]]; then
    mkdir -p "$(dirname "$KF_LOG")"
    : >"$KF_LOG"
    kf_log_started=1
  fi
  printf '\n== %s\n$ %s\n' "$what" "$*" >>"$KF_LOG"
  if ! "$@" >>"$KF_LOG" 2>&1; then
    say "error: $what failed; full log: $KF_LOG"
    tail -n 20 "$KF_LOG" | sed 's/^/  | /' >&2
    exit 1
  fi
}

as_root() {
  if [[ $(id -u) -ne 0 ]]; then sudo "$@"; else "$@"; fi
}

# apt_install PKG…: from the system's own apt sources, without recommends, without questions.
apt_install() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# install_missing PKG…: installs the packages through apt (one phase line), or says what to install.
install_missing() {
  (($# > 0)) || return 0
  if ! command -v apt-get >/dev/null; then
    say "needs: $*; install them"
    exit 2
  fi
  phase "installing $* from Debian" apt_install "$@"
}
