#!/bin/sh
# The cheapest interpreted CGI program: dash writing a fixed answer.
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\r\nok\n'
