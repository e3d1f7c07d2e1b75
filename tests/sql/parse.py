# SPDX-License-Identifier: MIT
# Parses SQL files with sqlglot (Debian's python3-sqlglot) in the named dialect; exits 1
# naming the file and sqlglot's message when one does not parse (issue 16: the dialects no
# engine here can run). sqlglot checks syntax: brackets, keywords, casts, operators; it does
# not know every function's types.
#   python3 parse.py DIALECT FILE...
import sys

import sqlglot
from sqlglot.errors import ErrorLevel

dialect, files = sys.argv[1], sys.argv[2:]
failed = False
for path in files:
    text = open(path, encoding="utf-8").read()
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect, error_level=ErrorLevel.RAISE) if s is not None]
        if len(statements) != 1 or statements[0].key != "select":
            raise ValueError(f"expected one SELECT statement, found {[s.key for s in statements]}")
    except Exception as e:  # sqlglot raises ParseError, TokenError and others
        print(f"FAIL: {path} does not parse as {dialect}: {str(e)[:400]}")
        failed = True
sys.exit(1 if failed else 0)
