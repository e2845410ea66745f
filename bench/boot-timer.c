/* boot-timer: run one command (QEMU) and time it, for bench/boot.sh.
 *
 *   boot-timer [-r] [-t TIMEOUT_S] [-o OUTFILE] -- COMMAND [ARGS...]
 *
 * Takes CLOCK_MONOTONIC just before fork(), when read() first returns bytes
 * from the child's stdout (a pipe), and when the child exits (in the SIGCHLD
 * handler, so the time does not depend on when the main loop wakes up). The
 * child's stdin is /dev/null, its stderr is ours. All of its stdout is read
 * (so it never blocks on a full pipe) and written to OUTFILE if given.
 * If the child is still running TIMEOUT_S seconds (default 30) after the
 * spawn, it is killed by its PID with SIGKILL and the run is reported failed.
 *
 * With -r, boot-timer itself runs SCHED_FIFO (the child does not: the policy
 * is reset on fork), so that it is woken at once when the first byte arrives
 * or the child exits, even while QEMU's threads keep both cores busy. Without
 * it, on a loaded 2-core machine, the wake-up could lag by milliseconds (we saw
 * "first byte" read after the exit had been recorded). If the kernel refuses
 * (not root), it falls back to the normal policy and says so.
 *
 * Prints one line on stdout:
 *   ok <first_byte_ms> <exit_ms> <status> <bytes> <fifo|other>
 *   timeout <first_byte_ms|-> <elapsed_ms> - <bytes> <fifo|other>
 * <status> is the exit status (0-255), or 128+N if killed by signal N;
 * <first_byte_ms> is "-" if the child wrote nothing. Exit status of
 * boot-timer: 0 after "ok", 3 after "timeout", 2 on a usage/system error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t child_done;
static struct timespec t_exit;
static pid_t child = -1;

static double ms_between(const struct timespec *a, const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  if (!child_done) {
    clock_gettime(CLOCK_MONOTONIC, &t_exit);
    child_done = 1;
  }
  char c = 0;
  (void)!write(sig_pipe[1], &c, 1);
  errno = saved;
}

static void on_terminate(int sig) {  /* never leave QEMU behind */
  if (child > 0) kill(child, SIGKILL);
  signal(sig, SIG_DFL);
  raise(sig);
}

static void die(const char *what) {
  fprintf(stderr, "boot-timer: %s: %s\n", what, strerror(errno));
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
  }
  exit(2);
}

static int set_flags(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
  return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int main(int argc, char **argv) {
  double timeout_s = 30;
  const char *outfile = NULL;
  int opt, realtime = 0;
  while ((opt = getopt(argc, argv, "+t:o:r")) != -1) {
    switch (opt) {
      case 'r': realtime = 1; break;
      case 't': timeout_s = atof(optarg); break;
      case 'o': outfile = optarg; break;
      default: goto usage;
    }
  }
  if (optind < argc && strcmp(argv[optind], "--") == 0) optind++;
  if (optind >= argc || timeout_s <= 0) {
  usage:
    fprintf(stderr, "usage: boot-timer [-r] [-t TIMEOUT_S] [-o OUTFILE] -- COMMAND [ARGS...]\n");
    return 2;
  }

  const char *policy = "other";
  if (realtime) {
    struct sched_param sp = {.sched_priority = 10};
    if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0) policy = "fifo";
    else fprintf(stderr, "boot-timer: SCHED_FIFO refused (%s); timing with the normal policy\n", strerror(errno));
  }

  FILE *out = NULL;
  if (outfile && !(out = fopen(outfile, "wb"))) die(outfile);

  int data[2];
  if (pipe(sig_pipe) < 0 || pipe(data) < 0) die("pipe");
  if (set_flags(sig_pipe[0]) < 0 || set_flags(sig_pipe[1]) < 0 || set_flags(data[0]) < 0) die("fcntl");

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGCHLD, &sa, NULL) < 0) die("sigaction");
  signal(SIGINT, on_terminate);
  signal(SIGTERM, on_terminate);
  signal(SIGHUP, on_terminate);

  struct timespec t_spawn, t_first = {0, 0}, now;
  int got_first = 0;
  clock_gettime(CLOCK_MONOTONIC, &t_spawn);
  child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(data[1], 1) < 0) _exit(126);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    execvp(argv[optind], &argv[optind]);
    fprintf(stderr, "boot-timer: cannot run %s: %s\n", argv[optind], strerror(errno));
    _exit(127);
  }
  close(data[1]);

  long bytes = 0;
  int data_open = 1, timed_out = 0;
  char buf[65536];
  /* Until the child has exited and its stdout is drained (EOF), or timeout. */
  while (!child_done || data_open) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    double left_ms = timeout_s * 1e3 - ms_between(&t_spawn, &now);
    if (left_ms <= 0) {
      if (!child_done) {
        timed_out = 1;
        kill(child, SIGKILL);
      }
      break;
    }
    struct pollfd fds[2] = {{sig_pipe[0], POLLIN, 0}, {data_open ? data[0] : -1, POLLIN, 0}};
    int n = poll(fds, 2, (int)left_ms + 1);
    if (n < 0 && errno != EINTR) die("poll");
    if (fds[0].revents & POLLIN) {
      char drain[64];
      while (read(sig_pipe[0], drain, sizeof drain) > 0) {}
    }
    if (data_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      for (;;) {
        ssize_t r = read(data[0], buf, sizeof buf);
        if (r > 0) {
          if (!got_first) {
            clock_gettime(CLOCK_MONOTONIC, &t_first);
            got_first = 1;
          }
          bytes += r;
          if (out) fwrite(buf, 1, (size_t)r, out);
          continue;
        }
        if (r == 0) data_open = 0;
        else if (errno == EINTR) continue;
        else if (errno != EAGAIN) die("read");
        break;
      }
    }
  }

  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  if (!child_done) {  /* only if the SIGCHLD handler somehow did not run */
    clock_gettime(CLOCK_MONOTONIC, &t_exit);
    child_done = 1;
  }
  child = -1;
  if (out) fclose(out);

  char first[32] = "-";
  if (got_first) snprintf(first, sizeof first, "%.3f", ms_between(&t_spawn, &t_first));
  if (timed_out) {
    printf("timeout %s %.3f - %ld %s\n", first, ms_between(&t_spawn, &t_exit), bytes, policy);
    return 3;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("ok %s %.3f %d %ld %s\n", first, ms_between(&t_spawn, &t_exit), code, bytes, policy);
  return 0;
}
