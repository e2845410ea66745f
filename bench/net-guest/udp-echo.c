/* udp-echo: the UDP echo server (port 7) of the Linux guest of
 * bench/net-boot.sh. Debian's busybox-static has no UDP server (its nc is
 * TCP only; no udpsvd, no inetd), so the guest runs this instead: built by
 * the bench with gcc -static, it answers every datagram with its payload,
 * as strata's udp_echo does. */
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
    perror("udp-echo");
    return 1;
  }
  static char buf[65536];
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n >= 0) sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
  }
}
