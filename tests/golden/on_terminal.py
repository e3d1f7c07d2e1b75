#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a command with its standard output on a terminal COLUMNS wide (80 when unset) and
copies what it prints to this standard output, line ends as written (no "\\r" added).
Standard input and error stay as they are. Exits with the command's exit code. A golden case
with a `terminal` file runs through it: only a terminal's width wraps cskpi's tables.

Usage: on_terminal.py COMMAND [ARG...]
"""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

master, slave = pty.openpty()
columns = int(os.environ.get("COLUMNS") or 80)
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
attrs = termios.tcgetattr(slave)
attrs[1] &= ~termios.OPOST  # "\n" stays "\n"
termios.tcsetattr(slave, termios.TCSANOW, attrs)
child = subprocess.Popen(sys.argv[1:], stdout=slave)
os.close(slave)
out = bytearray()
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the command closed the terminal
        break
    if not chunk:
        break
    out += chunk
sys.stdout.buffer.write(out)
sys.exit(child.wait())
