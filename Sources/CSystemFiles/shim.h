#ifndef BASTION_CSYSTEMFILES_SHIM_H
#define BASTION_CSYSTEMFILES_SHIM_H
// No system header is included: this module would hold its own copies of their types (mode_t,
// off_t), which then clash in Swift with the Glibc module's.

#ifdef __linux__
/// A GNU extension the Glibc module does not declare (`off_t` is `long` on 64-bit Linux).
extern int fallocate(int fd, int mode, long offset, long length);
/// From <linux/falloc.h>: allocate, but leave the file's size as it is.
#define BASTION_FALLOC_FL_KEEP_SIZE 0x01
#endif

/// Gives a file disk space for `length` bytes from `offset` without changing its size, so that
/// writes there later cannot fail for want of space (Linux; elsewhere nothing is reserved and 0
/// is returned). -1 and errno on failure.
static inline int bastion_reserve_space(int fd, long offset, long length) {
#ifdef __linux__
    return fallocate(fd, BASTION_FALLOC_FL_KEEP_SIZE, offset, length);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}

/// Gives a file disk space for `length` bytes from `offset`, growing the file when the range
/// ends past it (Linux; elsewhere 0 is returned and nothing is allocated). -1 and errno on failure.
static inline int bastion_allocate_space(int fd, long offset, long length) {
#ifdef __linux__
    return fallocate(fd, 0, offset, length);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}
#endif
