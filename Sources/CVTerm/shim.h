#ifndef BASTION_CVTERM_SHIM_H
#define BASTION_CVTERM_SHIM_H
/// Only the header: libvterm has no macros or inline functions TerminalModel needs.
#include <vterm.h>
#endif
