/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_VERSION_H
#define TCPCLOSE_VERSION_H

#define TCPCLOSE_VERSION "0.1.0"

#endif /* TCPCLOSE_VERSION_H */
