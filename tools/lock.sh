# Sourced by the tool installers: hold_lock FILE takes an exclusive lock on FILE (fd 9),
# waiting while another process holds it, so concurrent callers install a version once.
# Without flock (not a Debian machine) it does nothing: installs stay atomic by rename.
hold_lock() {
    command -v flock >/dev/null 2>&1 || return 0
    exec 9>"$1"
    if ! flock -n 9; then
        log "another install is running; waiting for it"
        flock 9
    fi
}
