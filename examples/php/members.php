<?php
// members.php: a PHP page that checks the session cookie with the dbbasic-sessions command
// (docs/command-line.md); no gate.cgi in front of it. Runs under php-cgi, php-fpm or mod_php.
// Install: cp bin/dbbasic-sessions /usr/local/bin/. The key comes from SECRET_KEY_FILE or
// SECRET_KEY (the server's environment, SetEnv) or the settings file (README, "The settings file").

$login = '/cgi-bin/login.cgi?next=/members.php';

// The command's environment: the request's Cookie header and the session settings, taken from
// $_SERVER, where every SAPI puts them (under php-fpm and mod_php they are not in the process's
// own environment). No shell runs: the command is an array, and no token is ever quoted.
$env = ['PATH' => getenv('PATH') ?: '/usr/local/bin:/usr/bin:/bin'];   // lighttpd passes no PATH
foreach (['HTTP_COOKIE', 'HOME', 'SECRET_KEY_FILE', 'SECRET_KEY', 'SECRET_KEY_FALLBACKS', 'SESSION_COOKIE',
          'SESSION_TTL', 'SESSION_MAX_TTL', 'HTPASSWD_FILE', 'SESSION_REVOKED_FILE'] as $name) {
    $value = $_SERVER[$name] ?? getenv($name);
    if (is_string($value)) $env[$name] = $value;
}

// verify: exit 0 and the user id on stdout; 1 not logged in; 2 misconfigured (its reason on stderr).
$proc = proc_open(['dbbasic-sessions', 'verify'], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
if ($proc === false) {
    $user = '';
    $status = 127;
    $reason = 'cannot start dbbasic-sessions';
} else {
    $user = rtrim(stream_get_contents($pipes[1]), "\n");
    $reason = rtrim(stream_get_contents($pipes[2]), "\n");
    fclose($pipes[1]);
    fclose($pipes[2]);
    $status = proc_close($proc);
}

header_remove('X-Powered-By');
header('Cache-Control: no-store');
if ($status === 0) {
    header('Content-Type: text/plain; charset=utf-8');
    echo "Members only. You are logged in as $user.\n";
} elseif ($status === 1) {
    header('Location: ' . $login, true, 303);
} else {
    if ($reason !== '') error_log($reason);
    error_log("members.php: dbbasic-sessions verify exited $status");
    http_response_code(500);
    header('Content-Type: text/plain');
    echo "server error\n";
}
