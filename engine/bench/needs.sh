# Sourced by the benchmark scripts. `needs TOOL...` installs, with apt-get, whichever of the named
# tools is not on the PATH (nginx comes from the nginx-light package; every other tool from the
# package of its own name), or stops with the list when not run as root; /usr/sbin, where Debian puts
# nginx and HAProxy, joins the PATH. `free_port` prints a loopback TCP port nobody listens on.
needs() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] && continue
    case $tool in nginx) missing+=(nginx-light) ;; *) missing+=("$tool") ;; esac
  done
  if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || { echo "install first: ${missing[*]}"; exit 2; }
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  PATH=$PATH:/usr/sbin
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
