/* make bench, figure 5: the floor for a FastCGI authorizer through lighttpd. It lets every
 * request pass, as fast as a process can: accept on the listening socket lighttpd gives it as
 * fd 0, read records up to the empty FCGI_PARAMS, write one fixed answer, close. No checks:
 * a reference for the benchmark only, never a program to protect anything with. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int read_full(int fd, unsigned char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static size_t record(unsigned char *out, int type, unsigned id, const void *content, size_t len) {
  size_t pad = (8 - len % 8) % 8;
  unsigned char h[8] = {1, (unsigned char)type, (unsigned char)(id >> 8), (unsigned char)id, (unsigned char)(len >> 8), (unsigned char)len, (unsigned char)pad, 0};
  memcpy(out, h, 8);
  if (len) memcpy(out + 8, content, len);
  memset(out + 8 + len, 0, pad);
  return 8 + len + pad;
}

int main(void) {
  static const char answer[] = "Status: 200\r\nVariable-REMOTE_USER: bench-user\r\nVariable-AUTH_TYPE: Cookie\r\n\r\n";
  static unsigned char buf[65535 + 255];
  signal(SIGPIPE, SIG_IGN);
  for (;;) {
    int c = accept(0, NULL, NULL);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return 1;
    }
    unsigned char h[8];
    unsigned id = 0;
    int done = 0;
    while (!done && read_full(c, h, 8) == 0) {
      unsigned type = h[1], len = (h[4] << 8) | h[5], pad = h[6];
      id = (h[2] << 8) | h[3];
      if (read_full(c, buf, len + pad) != 0) break;
      if (type == 4 && len == 0) done = 1; /* the end of FCGI_PARAMS */
    }
    if (done) {
      unsigned char out[256];
      const unsigned char end[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      size_t n = record(out, 6, id, answer, sizeof answer - 1);
      n += record(out + n, 6, id, NULL, 0);
      n += record(out + n, 3, id, end, 8);
      if (write(c, out, n) < 0) { /* the server left */ }
    }
    close(c);
  }
}
