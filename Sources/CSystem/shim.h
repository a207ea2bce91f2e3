// Glibc's Swift overlay does not export epoll or eventfd; this header does.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>

// EPOLLIN and friends are enum values in glibc that Swift imports with an awkward type;
// these give them as plain unsigned integers.
static inline unsigned int csystem_epollin(void) { return EPOLLIN; }
static inline unsigned int csystem_epollout(void) { return EPOLLOUT; }
static inline unsigned int csystem_epollerr(void) { return EPOLLERR; }
static inline unsigned int csystem_epollhup(void) { return EPOLLHUP; }
static inline unsigned int csystem_epollrdhup(void) { return EPOLLRDHUP; }
static inline unsigned int csystem_epollet(void) { return EPOLLET; }

#include <sys/uio.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <stdint.h>
#include <string.h>

// glibc declares these two only under _GNU_SOURCE, which a module's headers cannot set for
// the Glibc module; the declarations below match glibc's exactly.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);

// EPOLLEXCLUSIVE (Linux 4.5) wakes one of the loops waiting on a shared listening socket
// instead of all of them.
static inline unsigned int csystem_epollexclusive(void) { return EPOLLEXCLUSIVE; }

// The file descriptor that the shutdown signal handler writes to. It lives in a static
// inside an inline function so the handler and the installer below share one copy.
static inline volatile int *csystem_shutdown_signal_fd(void) {
    static volatile int fd = -1;
    return &fd;
}

// Adds 1 to the shutdown eventfd. Only async-signal-safe calls (write) are made, and errno
// is restored so the interrupted code reads its own value.
static void csystem_shutdown_signal_handler(int signal_number) {
    (void)signal_number;
    int saved_errno = errno;
    uint64_t one = 1;
    ssize_t written = write(*csystem_shutdown_signal_fd(), &one, sizeof one);
    (void)written;
    errno = saved_errno;
}

// Routes SIGINT and SIGTERM to `event_fd` (an eventfd), or back to the default action when
// `event_fd` is -1. Returns 0, or -1 with errno set by sigaction.
static inline int csystem_route_shutdown_signals(int event_fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    action.sa_handler = event_fd >= 0 ? csystem_shutdown_signal_handler : SIG_DFL;
    *csystem_shutdown_signal_fd() = event_fd;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    if (sigaction(SIGTERM, &action, NULL) != 0) return -1;
    return 0;
}

// Sets SIGPIPE to be ignored, so a write to a closed socket fails with EPIPE instead of
// ending the process.
static inline int csystem_ignore_sigpipe(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = SIG_IGN;
    return sigaction(SIGPIPE, &action, NULL);
}

// Blocks SIGINT and SIGTERM in the calling thread, so they are delivered to a thread that
// expects them (the handler above runs on whichever thread does not block them).
static inline int csystem_block_shutdown_signals_in_thread(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

// glibc's malloc tuning (malloc.h is not part of the Glibc module).
#include <malloc.h>
static inline int csystem_set_malloc_arena_limit(int count) { return mallopt(M_ARENA_MAX, count); }
