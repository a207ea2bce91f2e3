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
