/* The cheapest CGI program there is: a static answer from C. */
#include <unistd.h>

int main(void) {
  static const char answer[] = "Status: 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\r\nok\n";
  return write(1, answer, sizeof answer - 1) == (ssize_t)(sizeof answer - 1) ? 0 : 1;
}
