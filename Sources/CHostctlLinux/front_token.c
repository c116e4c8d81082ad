#define _GNU_SOURCE
#include "CHostctlLinux.h"

#include <stdlib.h>
#include <string.h>

// The pairing token the front passes in HOSTCTL_TOKEN leaves the environment before main,
// so no process the app starts inherits it. A constructor runs while the process still has
// one thread: the only moment unsetenv cannot race a getenv elsewhere (glibc's unsetenv
// shifts the entries of the array that a getenv on another thread may be walking, which
// can make that getenv miss an unrelated variable). The bytes are cleared before the entry
// goes, so /proc/PID/environ, which shows the environment the process was started with,
// no longer has the token either. The hosting library asks for it with chl_front_token.

static const char *chl_taken_front_token;

__attribute__((constructor))
static void chl_take_front_token(void) {
    // Only behind the front, where both are set (FrontContract): anything else is not ours.
    const char *port = getenv("HOSTCTL_PORT");
    char *token = getenv("HOSTCTL_TOKEN");
    if (port == NULL || *port == '\0' || token == NULL || *token == '\0') return;
    char *copy = strdup(token);
    if (copy == NULL) return;  // out of memory before main: leave everything as it is
    chl_taken_front_token = copy;
    memset(token, 0, strlen(token));
    unsetenv("HOSTCTL_TOKEN");
}

const char *chl_front_token(void) {
    return chl_taken_front_token;
}
