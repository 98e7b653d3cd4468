#ifndef BASTION_CLIBSSH_SHIM_H
#define BASTION_CLIBSSH_SHIM_H
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <libssh/callbacks.h>
/// The connection mailbox wakes an `ssh_event` through an eventfd; Glibc does not export this header.
#include <sys/eventfd.h>

/// `ssh_callbacks_init` is a statement macro; Swift cannot call it.
static inline void bastion_ssh_server_callbacks_init(struct ssh_server_callbacks_struct *cb) {
    ssh_callbacks_init(cb);
}
/// Same macro, channel callbacks.
static inline void bastion_ssh_channel_callbacks_init(struct ssh_channel_callbacks_struct *cb) {
    ssh_callbacks_init(cb);
}
#endif
