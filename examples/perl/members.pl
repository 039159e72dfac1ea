#!/usr/bin/perl
# members.pl: a Perl CGI page that checks the session cookie with the dbbasic-sessions command
# (docs/command-line.md); no gate.cgi in front of it.
# Install: cp bin/dbbasic-sessions /usr/local/bin/, then copy this file into cgi-bin next to
# login.cgi. It reads the key the same way the .cgi programs do (SECRET_KEY_FILE or SECRET_KEY
# from the server's environment, or the settings file).
use strict;
use warnings;

$ENV{PATH} ||= '/usr/local/bin:/usr/bin:/bin';   # lighttpd passes no PATH
my $login = '/cgi-bin/login.cgi?next=/cgi-bin/members.pl';

# verify without TOKEN reads the session cookie from HTTP_COOKIE itself. The list form of open
# runs it without a shell: exit 0 and the user id on stdout; 1 not logged in; 2 misconfigured
# (its reason on stderr, which the server logs).
my ($user, $status) = ('', 127);
if (open(my $out, '-|', 'dbbasic-sessions', 'verify')) {
    $user = do { local $/; <$out> } // '';
    close $out;
    $status = $? == -1 ? 127 : $? & 127 ? 128 + ($? & 127) : $? >> 8;
    chomp $user;
} else {
    print STDERR "members.pl: cannot run dbbasic-sessions: $!\n";
}

if ($status == 0) {
    print "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\n";
    print "Members only. You are logged in as $user.\n";
} elsif ($status == 1) {
    print "Status: 303 See Other\r\nLocation: $login\r\nCache-Control: no-store\r\n\r\n";
} else {
    print STDERR "members.pl: dbbasic-sessions verify exited $status\n";
    print "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\r\nserver error\n";
}
