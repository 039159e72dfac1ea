# test/helpers/gate-targets.bash — the ordinary CGI programs gate.cgi protects
# in the gate tests (test/bats/cgi/gate.bats, test/bats/servers/gate.bats).
# None of them knows about sessions.
#
#   gate_targets DIR     writes into DIR (mode 755 each):
#     env.pcgi           shell: prints, one a line, the variables a target relies on
#                        (unset ones as "(unset)"), how many SECRET_KEY variables it sees,
#                        its working directory and its arguments; logs one stderr line;
#                        exits with $ENV_EXIT (default 0)
#     echo.pcgi          Perl: answers the request body byte for byte as
#                        application/octet-stream, with X-Length and X-Method headers
#     binary.pcgi        shell: a body holding every byte value 0..255
#     plain.pcgi         a copy of env.pcgi without its run bit (mode 644)
#   ENV_VARS             the variables env.pcgi prints, in order
#   env_expected NAME=VALUE…   env.pcgi's body for those values, every other variable "(unset)",
#                        with secrets=0, cwd=$ENV_CWD and args= (empty) unless given
#   assert_env_body NAME=VALUE…   $http_body is exactly that body (final newline included)

ENV_VARS=(REMOTE_USER AUTH_TYPE HTTP_COOKIE SCRIPT_NAME SCRIPT_FILENAME PATH_INFO PATH_TRANSLATED QUERY_STRING REQUEST_METHOD)

gate_targets() {
  local dir=$1
  {
    printf '#!/bin/sh\n'
    printf "printf 'Status: 200 OK\\\\r\\\\nContent-Type: text/plain\\\\r\\\\n\\\\r\\\\n'\n"
    local v
    for v in "${ENV_VARS[@]}"; do
      printf 'printf "%s=%%s\\n" "${%s-(unset)}"\n' "$v" "$v"
    done
    printf 'printf "secrets=%%s\\n" "$(env | grep -c SECRET_KEY)"\n'
    printf 'printf "cwd=%%s\\n" "$(pwd)"\n'
    printf 'printf "args=%%s\\n" "$*"\n'
    printf 'echo "env.pcgi ran for $REMOTE_USER" >&2\n'
    printf 'exit "${ENV_EXIT:-0}"\n'
  } > "$dir/env.pcgi"

  cat > "$dir/echo.pcgi" <<'PERL'
#!/usr/bin/perl
# Answers the request body byte for byte.
binmode STDIN;
binmode STDOUT;
my $want = $ENV{CONTENT_LENGTH} || 0;
my $body = '';
while (length($body) < $want) {
  my $got = read(STDIN, $body, $want - length($body), length($body));
  last unless $got;
}
print "Status: 200 OK\r\nContent-Type: application/octet-stream\r\n";
print "X-Method: $ENV{REQUEST_METHOD}\r\nX-Length: ", length($body), "\r\n\r\n", $body;
PERL

  cat > "$dir/binary.pcgi" <<'SH'
#!/bin/sh
printf 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n'
i=0
while [ $i -lt 256 ]; do printf "\\$(printf %o $i)"; i=$((i + 1)); done
SH

  cp "$dir/env.pcgi" "$dir/plain.pcgi"
  chmod 755 "$dir/env.pcgi" "$dir/echo.pcgi" "$dir/binary.pcgi"
  chmod 644 "$dir/plain.pcgi"
}

env_expected() {
  declare -A want=()
  local pair v
  for pair in "$@"; do want[${pair%%=*}]=${pair#*=}; done
  for v in "${ENV_VARS[@]}"; do printf '%s=%s\n' "$v" "${want[$v]-(unset)}"; done
  printf 'secrets=%s\ncwd=%s\nargs=%s\n' "${want[secrets]-0}" "${want[cwd]-$ENV_CWD}" "${want[args]-}"
}

assert_env_body() {
  assert_eq "$http_body" "$(env_expected "$@")"$'\n' body
}
